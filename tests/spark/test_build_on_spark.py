"""The tiny company on a local SparkSession: the raw layer as Parquet (exported from the
PostgreSQL build, tests/spark/raw_parquet.py), registered as the dbt sources, then
`dbt build --target spark`. This first round records how far the build gets: every model not on
the list still to convert (engine_syntax.STILL_TO_CONVERT) and whose inputs built must build."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.spark.engine_syntax import STILL_TO_CONVERT
from tests.spark.raw_parquet import export_raw_schemas

pytestmark = pytest.mark.spark


@pytest.fixture(scope="session")
def spark_build(pipeline_runs, warehouse_url: str, spark_environment, dbt_command) -> dict:
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
    results = json.loads(
        (dbt_command.target_path("spark") / "run_results.json").read_text(encoding="utf-8")
    )
    return {
        "exported": exported,
        "log": built.stdout,
        "results": {
            result["unique_id"]: (result["status"], result.get("message") or "")
            for result in results["results"]
        },
    }


def test_staging_builds_on_spark(spark_build: dict) -> None:
    statuses = {
        unique_id.split(".")[-1]: status
        for unique_id, (status, _) in spark_build["results"].items()
        if unique_id.startswith("model.") and ".stg_" in unique_id
    }
    print(json.dumps(statuses, indent=1, sort_keys=True))
    expected_to_build = {name for name in statuses if name not in STILL_TO_CONVERT}
    failed = {name: statuses[name] for name in expected_to_build if statuses[name] != "success"}
    assert failed == {}
