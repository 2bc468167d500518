"""The Spark suite (`make test-spark`, marker `spark`): dbt on a local SparkSession, beside the
PostgreSQL build of the same inputs. It needs the `spark` extra (pyspark, dbt-spark) and Java."""

from __future__ import annotations

import importlib.util
import json
import os
import shutil
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from ingestion.platform.warehouse_url import connection_environment
from orchestration.resources import DBT_PROJECT_DIR
from tests.spark.mart_rows import MART_SCHEMAS
from tests.spark.raw_parquet import export_raw_schemas


def _missing() -> str | None:
    if shutil.which("java") is None:
        return "the Spark suite needs Java (make test-spark; .ci/run installs it)"
    if importlib.util.find_spec("pyspark") is None:
        return "the Spark suite needs the spark extra (make test-spark installs it)"
    return None


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    reason = _missing()
    here = Path(__file__).parent
    for item in items:
        if reason and here in Path(str(item.fspath)).parents:
            item.add_marker(pytest.mark.skip(reason=reason))


DBT = Path(sys.executable).with_name("dbt")


@pytest.fixture(scope="session")
def spark_environment(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """A local session's warehouse and metastore in a fresh folder (profiles.yml's `spark`)."""
    root = tmp_path_factory.mktemp("spark")
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


DbtCommand = Callable[..., subprocess.CompletedProcess]


@pytest.fixture(scope="session")
def dbt_command(tmp_path_factory: pytest.TempPathFactory) -> Iterator[DbtCommand]:
    """`dbt_command(target, environment, *args)`: dbt in a child process (the JVM goes with it),
    with a target folder per target so the project's own manifest is left alone."""
    targets = tmp_path_factory.mktemp("dbt_targets")

    def run(target: str, environment: dict[str, str], *args: str, timeout: int = 1800):
        return subprocess.run(
            [
                "nice",
                "-n",
                "15",
                str(DBT),
                *args,
                "--target",
                target,
                "--project-dir",
                str(DBT_PROJECT_DIR),
                "--profiles-dir",
                str(DBT_PROJECT_DIR),
                "--target-path",
                str(targets / target),
            ],
            env={**os.environ, **environment},
            cwd=DBT_PROJECT_DIR.parent,
            capture_output=True,
            text=True,
            timeout=timeout,
        )

    run.target_path = lambda target: targets / target  # type: ignore[attr-defined]
    yield run


@pytest.fixture(scope="session")
def postgres_environment(warehouse_url: str) -> dict[str, str]:
    return connection_environment(warehouse_url)


@pytest.fixture(scope="session")
def spark_build(pipeline_runs, warehouse_url: str, spark_environment, dbt_command) -> dict:
    """The session's one Spark build: the PostgreSQL build's raw schemas exported to Parquet and
    registered as the dbt sources, then `dbt build --target spark` of every model and data test.
    Its target folder (manifest with the compiled SQL, run results) serves the whole suite."""
    root = Path(spark_environment["SPARK_RAW_ROOT"])
    exported = export_raw_schemas(warehouse_url, root)
    registered = dbt_command(
        "spark",
        spark_environment,
        "run-operation",
        "register_parquet_sources",
        "--args",
        json.dumps({"root": str(root), "only": sorted(exported)}),
    )
    assert registered.returncode == 0, registered.stdout[-4000:]
    built = dbt_command("spark", spark_environment, "build", "--exclude", "test_type:unit")
    target = dbt_command.target_path("spark")
    results = json.loads((target / "run_results.json").read_text(encoding="utf-8"))
    manifest = json.loads((target / "manifest.json").read_text(encoding="utf-8"))
    return {
        "exported": exported,
        "log": built.stdout,
        "elapsed": results["elapsed_time"],
        "results": {
            result["unique_id"]: (result["status"], result.get("message") or "")
            for result in results["results"]
        },
        "marts": {
            node["name"]: (node["schema"], node["alias"])
            for node in manifest["nodes"].values()
            if node["resource_type"] == "model" and node["schema"] in MART_SCHEMAS
        },
        "warehouse": Path(spark_environment["SPARK_WAREHOUSE_DIR"]),
        "target": target,
    }
