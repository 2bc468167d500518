"""`make bench ENGINE=spark` (`python -m bench --engine spark`): what a user moving to Spark runs,
each step measured, beside the PostgreSQL build of the same demo company.

Steps: the PostgreSQL pipeline on the demo (its marts are what Spark's are checked against, and
the app's warehouse that `publish-spark` writes into), then the raw layer written as Parquet by
the real dlt pipelines (`RAW_DESTINATION=filesystem`), `register_parquet_sources`, one
`dbt build --target spark` (models and data tests; its per-layer and per-node time from
`run_results.json`), `make publish-spark`'s step, the marts' row counts and money sums compared
with PostgreSQL's; then after the 1% change the raw load and the Spark build again.

Each dbt command is a child process of its own, as `make test-spark` runs them: the JVM starts
and stops with it, and the process tree's peak RSS (dbt, the JVM) is measured.
"""

from __future__ import annotations

import json
import os
import shutil
import statistics
import sys
from collections import defaultdict
from decimal import Decimal
from pathlib import Path
from typing import Any

from bench.environment import BenchEnvironment, folder_bytes, say
from bench.process import ProcessRun, measure
from ingestion.platform.paths import PROJECT_ROOT

DBT = Path(sys.executable).with_name("dbt")
# The session's settings on the 2-core benchmark machine (docs/spark.md, "The profile"); the
# environment overrides each.
SETTINGS = {
    "SPARK_MASTER": "local[2]",
    "SPARK_DRIVER_MEMORY": "6g",
    "SPARK_SHUFFLE_PARTITIONS": "4",
    "DBT_THREADS": "2",
}
TOP_NODES = 10


def settings() -> dict[str, str]:
    return {name: os.environ.get(name, default) for name, default in SETTINGS.items()}


def spark_home(env: BenchEnvironment) -> Path:
    return env.home / "spark"


def raw_root(env: BenchEnvironment) -> Path:
    return spark_home(env) / "raw"


def variables(env: BenchEnvironment) -> dict[str, str]:
    """The benchmark's environment with the Spark catalogue and the raw layer as Parquet."""
    home = spark_home(env)
    return {
        **env.variables(),
        **settings(),
        "SPARK_WAREHOUSE_DIR": str(home / "warehouse"),
        "SPARK_METASTORE_DIR": str(home / "metastore_db"),
        "SPARK_DERBY_HOME": str(home),
        "RAW_DESTINATION": "filesystem",
        "RAW_BUCKET_URL": str(raw_root(env)),
    }


def reset(env: BenchEnvironment) -> None:
    """No Spark tables, catalogue, raw Parquet or dlt state of the files: the next load is a
    first one and the next build starts from nothing."""
    shutil.rmtree(spark_home(env), ignore_errors=True)
    shutil.rmtree(env.state_dir / "dlt_files", ignore_errors=True)
    spark_home(env).mkdir(parents=True)


def _run(env: BenchEnvironment, argv: list[str], log_name: str, check: bool = True) -> ProcessRun:
    log = spark_home(env) / log_name
    run = measure(argv, cwd=PROJECT_ROOT, env=variables(env), log=log)
    if check and run.returncode != 0:
        raise RuntimeError(f"`{' '.join(argv[:4])} ...` failed ({run.returncode}): see {log}")
    return run


def _dbt(env: BenchEnvironment, log_name: str, *args: str, check: bool = True) -> ProcessRun:
    from orchestration.resources import DBT_PROJECT_DIR

    return _run(
        env,
        [
            str(DBT),
            *args,
            "--target",
            "spark",
            "--project-dir",
            str(DBT_PROJECT_DIR),
            "--profiles-dir",
            str(DBT_PROJECT_DIR),
            "--target-path",
            str(spark_home(env) / "dbt_target"),
            "--log-path",
            str(spark_home(env) / "dbt_logs"),
        ],
        log_name,
        check=check,
    )


def load_raw(env: BenchEnvironment, log_name: str) -> ProcessRun:
    """Every raw asset into Parquet (`bench.spark_raw`), month-end's decisions exported."""
    return _run(env, [sys.executable, "-m", "bench.spark_raw"], log_name)


def raw_files_mib(env: BenchEnvironment) -> float:
    return folder_bytes(raw_root(env)) / 2**20


def register(env: BenchEnvironment) -> ProcessRun:
    """`register_parquet_sources` over the folders the loads wrote (a source with no folder,
    such as a CRM the demo does not serve, is left out and its models fail, named in the log)."""
    root = raw_root(env)
    present = sorted(
        f"{schema.name}.{table.name}"
        for schema in root.iterdir()
        if schema.is_dir()
        for table in schema.iterdir()
        if table.is_dir() and not table.name.startswith("_dlt")
    )
    args = json.dumps({"root": str(root), "only": present})
    return _dbt(env, "register.log", "run-operation", "register_parquet_sources", "--args", args)


def build(env: BenchEnvironment, log_name: str, *extra: str) -> tuple[ProcessRun, dict[str, Any]]:
    """`dbt build --target spark` (models and data tests, no unit tests); its run results
    summed per layer. A failed node does not stop the benchmark: the failures are counted."""
    run = _dbt(env, log_name, "build", "--exclude-resource-type", "unit_test", *extra, check=False)
    return run, breakdown(spark_home(env) / "dbt_target")


def _layer(node: dict[str, Any]) -> str:
    if node["resource_type"] == "model":
        return node["fqn"][1] if len(node["fqn"]) > 2 else "models"
    return {"test": "data tests", "operation": "hooks"}.get(node["resource_type"], "other")


def breakdown(target: Path) -> dict[str, Any]:
    """Per layer (staging, intermediate, marts, data tests, hooks) the summed node seconds, the
    slowest nodes, the median view's seconds (dbt's and the catalogue's fixed cost per node:
    a view reads no data) and what failed."""
    results = json.loads((target / "run_results.json").read_text())
    manifest = json.loads((target / "manifest.json").read_text())
    nodes = {**manifest["nodes"], **manifest.get("operations", {})}
    layers: dict[str, float] = defaultdict(float)
    counts: dict[str, int] = defaultdict(int)
    views = []
    timed = []
    failed = []
    for result in results["results"]:
        node = nodes.get(result["unique_id"])
        layer = _layer(node) if node else "hooks"
        seconds = float(result["execution_time"])
        layers[layer] += seconds
        counts[layer] += 1
        timed.append((seconds, result["unique_id"]))
        if node and node.get("config", {}).get("materialized") == "view":
            views.append(seconds)
        if result["status"] not in ("success", "pass"):
            failed.append(f"{result['unique_id']}: {result['status']}")
    timed.sort(reverse=True)
    return {
        "elapsed_s": float(results["elapsed_time"]),
        "layers_s": dict(layers),
        "layer_nodes": dict(counts),
        "top_nodes": [f"{uid} {s:.1f}s" for s, uid in timed[:TOP_NODES]],
        "median_view_s": statistics.median(views) if views else 0.0,
        "failed": failed,
    }


def publish(env: BenchEnvironment) -> ProcessRun:
    """`make publish-spark`'s step: every contracted mart into the benchmark warehouse's marts."""
    return _run(env, [sys.executable, "-m", "orchestration.spark_publish"], "publish.log")


def mart_totals(url: str) -> dict[str, dict[str, str]]:
    """Per contracted mart in PostgreSQL's `marts`: its rows and the sum of every numeric
    column (exact: numeric sums, as text)."""
    import psycopg

    from orchestration.spark_publish import contracted_marts

    totals = {}
    with psycopg.connect(url) as conn:
        for mart in contracted_marts():
            numeric = [c.name for c in mart.columns if c.data_type.startswith("numeric")]
            sums = "".join(f', sum("{name}")' for name in numeric)
            row = conn.execute(f'select count(*){sums} from marts."{mart.name}"').fetchone()
            totals[mart.name] = {"rows": str(row[0])}
            totals[mart.name].update(
                {name: str(value) for name, value in zip(numeric, row[1:], strict=True)}
            )
    return totals


def compare(postgres: dict[str, dict[str, str]], spark: dict[str, dict[str, str]]) -> list[str]:
    """Every figure that differs between the engines (decimals compared by value)."""
    differences = []
    for mart, figures in postgres.items():
        for name, value in figures.items():
            other = spark.get(mart, {}).get(name)
            same = other is not None and (
                value == other
                or (value != "None" and other != "None" and Decimal(value) == Decimal(other))
            )
            if not same:
                differences.append(f"{mart}.{name}: PostgreSQL {value}, Spark {other}")
    return differences


def say_breakdown(label: str, figures: dict[str, Any]) -> None:
    layers = ", ".join(f"{k} {v:.0f}s" for k, v in sorted(figures["layers_s"].items()))
    failed = len(figures["failed"])
    say(f"{label}: dbt elapsed {figures['elapsed_s']:.0f}s ({layers}); {failed} not green")
