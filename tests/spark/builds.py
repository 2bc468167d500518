"""One Spark build of a PostgreSQL-built company, for the Spark suite's comparisons: the local
session's folders (`spark_folders`) and the build itself (`build_on_spark`)."""

from __future__ import annotations

import json
import os
import subprocess
import time
from collections.abc import Callable
from pathlib import Path

from tests.spark.mart_rows import MART_SCHEMAS
from tests.spark.raw_parquet import export_raw_schemas

DbtCommand = Callable[..., subprocess.CompletedProcess]


def spark_folders(root: Path) -> dict[str, str]:
    """profiles.yml's `spark` output for a local session in `root`: its warehouse, metastore and
    raw Parquet folders, nothing shared with another build."""
    return {
        "SPARK_WAREHOUSE_DIR": str(root / "warehouse"),
        "SPARK_METASTORE_DIR": str(root / "metastore_db"),
        "SPARK_DERBY_HOME": str(root),
        "SPARK_RAW_ROOT": str(root / "raw"),
        # A test company's models are small: the time goes to dbt's and the catalogue's work
        # per model, which two threads overlap on two cores; a shuffle partition per core.
        "DBT_THREADS": os.environ.get("DBT_THREADS", "2"),
        "SPARK_SHUFFLE_PARTITIONS": os.environ.get("SPARK_SHUFFLE_PARTITIONS", "2"),
    }


def build_on_spark(
    dbt_command: DbtCommand, label: str, url: str, environment: dict[str, str], build: list[str]
) -> dict:
    """One Spark build of the warehouse at `url`: its raw schemas exported to Parquet, registered
    as the dbt sources and `build` (a dbt command) run, in one Spark session. Returns what the
    tests read: the run's results, the built marts' (schema, table) by model, the warehouse
    folder and the target folder (manifest with the compiled SQL)."""
    root = Path(environment["SPARK_RAW_ROOT"])
    started = time.monotonic()
    exported = export_raw_schemas(url, root)
    exported_s = time.monotonic() - started
    register = ["run-operation", "register_parquet_sources"]
    register += ["--args", json.dumps({"root": str(root), "only": sorted(exported)})]
    built = dbt_command.in_one_session("spark", environment, [register, build], label=label)
    target = dbt_command.target_path(label)
    results_file = target / "run_results.json"
    assert results_file.exists(), built.stdout[-4000:] + built.stderr[-4000:]
    results = json.loads(results_file.read_text(encoding="utf-8"))
    manifest = json.loads((target / "manifest.json").read_text(encoding="utf-8"))
    ran = {result["unique_id"] for result in results["results"]}
    return {
        "exported": exported,
        "log": built.stdout,
        "timings_s": {
            "export": round(exported_s),
            "register_and_build": round(time.monotonic() - started - exported_s),
            "dbt_elapsed": round(results["elapsed_time"]),
        },
        "results": {
            result["unique_id"]: (result["status"], result.get("message") or "")
            for result in results["results"]
        },
        "marts": {
            node["name"]: (node["schema"], node["alias"])
            for node in manifest["nodes"].values()
            if node["resource_type"] == "model"
            and node["schema"] in MART_SCHEMAS
            and node["unique_id"] in ran
        },
        "warehouse": Path(environment["SPARK_WAREHOUSE_DIR"]),
        "target": target,
    }
