"""dbt and quality figures: a full build, a build after a 1% change, and the checks.

dbt runs as the command line would run it, with its artifacts under the benchmark's home so the
user's `dbt_project/target` is left alone.
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

from bench.environment import BenchEnvironment

DBT = Path(sys.executable).with_name("dbt")


def _dbt(env: BenchEnvironment, *args: str) -> float:
    from orchestration.resources import DBT_PROJECT_DIR

    started = time.perf_counter()
    env.run(
        [
            str(DBT),
            *args,
            "--project-dir",
            str(DBT_PROJECT_DIR),
            "--profiles-dir",
            str(DBT_PROJECT_DIR),
            "--target-path",
            str(env.home / "dbt_target"),
            "--log-path",
            str(env.home / "dbt_logs"),
            "--quiet",
        ],
        quiet=True,
    )
    return time.perf_counter() - started


# What the pipeline's dbt step runs: models and their data tests (unit tests run in `make test`).
BUILD = ("build", "--exclude-resource-type", "unit_test")


def dbt_startup_once(env: BenchEnvironment) -> float:
    """What every dbt command pays before its first query: the interpreter, dbt's imports and the
    project's manifest (`dbt ls` of one model)."""
    return _dbt(env, "ls", "--select", "dim_date")


def parse_once(env: BenchEnvironment) -> float:
    """`dbt parse` into the benchmark's target folder, for this warehouse's connection."""
    return _dbt(env, "parse")


def last_run_elapsed_s(env: BenchEnvironment) -> float:
    """dbt's own elapsed time of the last command (its nodes and hooks, without the startup)."""
    results = json.loads((env.home / "dbt_target" / "run_results.json").read_text())
    return float(results["elapsed_time"])


def dbt_full_once(env: BenchEnvironment) -> float:
    """Every model rebuilt from scratch and tested (`dbt build --full-refresh`)."""
    return _dbt(env, *BUILD, "--full-refresh")


def dbt_incremental_once(env: BenchEnvironment) -> float:
    """The pipeline's build after a change: incremental models merge only what changed, the
    others are rebuilt, every data test runs (`dbt build`)."""
    return _dbt(env, *BUILD)


def checks_once(env: BenchEnvironment) -> dict[str, float]:
    """dbt's data tests, then every Great Expectations suite the pipeline runs (the checks of a
    scheduled build; dbt's unit tests run in `make test`, not on the data)."""
    from orchestration.defs.quality import suites
    from orchestration.defs.quality.publish import guarded_models
    from orchestration.defs.quality.validation import run_suite

    dbt_tests_s = _dbt(env, "test", "--exclude-resource-type", "unit_test")
    started = time.perf_counter()
    for suite in [
        suites.RAW_ORDER_LINES,
        suites.FCT_ORDERS,
        *(suites.audited_suite(m) for m in guarded_models()),
    ]:
        run_suite(suite)
    gx_s = time.perf_counter() - started
    return {"dbt_tests_s": dbt_tests_s, "gx_s": gx_s, "checks_s": dbt_tests_s + gx_s}


def load_changes(env: BenchEnvironment, crm: tuple[str, str]) -> None:
    """Load the demo's latest changes into the raw layer, incrementally, as the pipeline does."""
    from bench.ingest import run_orders
    from ingestion.pipelines import raw_pipeline
    from ingestion.sources.hubspot import hubspot

    run_orders(env, raw_pipeline("orders", url=env.url))
    raw_pipeline("crm", url=env.url).run(hubspot(base_url=crm[0], access_token=crm[1]))
