"""The tiny company on a local SparkSession, compared with its PostgreSQL build row for row.

The suite's PostgreSQL build (`postgres_build`, the pipeline job as `make pipeline` runs it, once)
is reused: its raw schemas are exported to Parquet (tests/spark/raw_parquet.py), registered as the
dbt sources, and one `dbt build --target spark` builds every model and runs every data test
there (`spark_build`, tests/spark/conftest.py). Then every mart (schemas `marts` and
`marts_audit`) must hold on Spark exactly the rows it holds on PostgreSQL
(tests/spark/mart_rows.py: a multiset, decimals by value, timestamps in UTC).
"""

from __future__ import annotations

import json

import pytest

from orchestration.resources import DBT_PROJECT_DIR
from tests.spark.mart_rows import (
    MART_SCHEMAS,
    differences,
    postgres_mart,
    spark_mart,
    without_columns,
)

pytestmark = pytest.mark.spark

MARTS = sorted(path.stem for path in (DBT_PROJECT_DIR / "models" / "marts").rglob("*.sql"))
# Columns that may hold other values on Spark than on PostgreSQL, by mart, with the reason. None:
# the raw layer is exported with its dlt load ids, and no mart column depends on the engine.
MAY_DIFFER: dict[str, dict[str, str]] = {}
# Tables of PostgreSQL's `marts` that no dbt model builds, so no Spark build holds them, and why.
NOT_DBT_MODELS = {
    "fct_forecast_ranges": "Dagster asset (orchestration/defs/forecast/ranges.py): a Monte Carlo "
    "in numpy over fct_forecasts, written into PostgreSQL",
    "fct_expected_commissions": "Dagster asset (orchestration/defs/forecast/commission.py): the "
    "commission chain run again with the forecast scenario, summed into PostgreSQL",
}


def test_every_model_and_data_test_builds_on_spark(spark_build: dict) -> None:
    results = spark_build["results"]
    counts: dict[str, int] = {}
    for unique_id, (status, _) in results.items():
        kind = unique_id.split(".")[0]
        counts[f"{kind} {status}"] = counts.get(f"{kind} {status}", 0) + 1
    print(json.dumps({**spark_build["timings_s"], **counts}, sort_keys=True))
    failed = {
        unique_id: f"{status}: {message[:300]}"
        for unique_id, (status, message) in results.items()
        if status not in ("success", "pass")
    }
    assert failed == {}, spark_build["log"][-3000:]
    assert counts.get("model success", 0) >= 140  # every model was selected and built


@pytest.mark.parametrize("mart", MARTS)
def test_mart_equals_postgres(mart: str, spark_build: dict, warehouse_url: str) -> None:
    schema, table = spark_build["marts"][mart]
    dropped = set(MAY_DIFFER.get(mart, {}))
    postgres = without_columns(postgres_mart(warehouse_url, schema, table), dropped)
    spark = without_columns(spark_mart(spark_build["warehouse"], schema, table), dropped)
    found = differences(f"{schema}.{table}", postgres, spark)
    assert found is None, found
    assert sum(postgres.rows.values()) == sum(spark.rows.values())


def test_every_postgres_mart_is_compared(spark_build: dict, query) -> None:
    """No mart escapes the comparison: each table of PostgreSQL's mart schemas is a mart model
    compared above, the published copy in `marts` of an audited one (`marts_audit`, the
    write-audit-publish step of the incentive marts; publishing from Spark is a step of its own,
    docs/spark.md), or a table no dbt model builds (`NOT_DBT_MODELS`, with the reason)."""
    compared = set(spark_build["marts"].values())
    tables = query(
        "select table_schema, table_name from information_schema.tables"
        " where table_schema = any(%s) and table_type = 'BASE TABLE'",
        (list(MART_SCHEMAS),),
    )
    published = {("marts", table) for schema, table in compared if schema == "marts_audit"}
    not_dbt = {("marts", table) for table in NOT_DBT_MODELS}
    assert set(tables) - compared - published - not_dbt == set()
    assert set(MARTS) == set(spark_build["marts"])
