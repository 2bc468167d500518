"""The raw layer as dlt writes it for Spark (`RAW_DESTINATION=filesystem`), read by Spark: after a
first load and a rerun with an updated row, the staging model on Spark holds the rows the same
model holds on PostgreSQL, loaded by the same source into the warehouse."""

from __future__ import annotations

import json
from datetime import UTC

import psycopg2
import pytest
from fixtures.orders_versions import load_twice
from fixtures.tiny_company import orders_tables

from ingestion.demo import orders_database
from ingestion.pipelines import raw_pipeline
from ingestion.platform.warehouse_url import connection_environment
from orchestration.spark_publish import spark_session

pytestmark = pytest.mark.spark


def _postgres_rows(url: str) -> list[dict]:
    with psycopg2.connect(url) as conn, conn.cursor() as cur:
        cur.execute("select * from staging.stg_orders__orders order by order_id")
        names = [column.name for column in cur.description]
        rows = [dict(zip(names, row, strict=True)) for row in cur.fetchall()]
    for row in rows:  # Spark hands timestamps back as naive UTC (the session and TZ are UTC)
        row["ordered_at"] = row["ordered_at"].astimezone(UTC).replace(tzinfo=None)
        row["updated_at"] = row["updated_at"].astimezone(UTC).replace(tzinfo=None)
    return rows


def _spark_rows(monkeypatch, environment: dict[str, str]) -> list[dict]:
    """The staging view read by a SparkSession over the same metastore (dbt's has ended)."""
    with monkeypatch.context() as env:
        for name, value in environment.items():
            env.setenv(name, value)
        env.setenv("SPARK_MASTER", "local[1]")
        spark = spark_session()
    try:
        table = spark.sql("select * from staging.stg_orders__orders order by order_id")
        return [row.asDict() for row in table.collect()]
    finally:
        spark.stop()


def test_staging_reads_the_merged_parquet_as_postgres_reads_its_table(
    monkeypatch,
    tmp_path,
    own_warehouse,
    scratch_database,
    own_spark_environment,
    dbt_command,
    utc_process,
) -> None:
    orders_database.write(scratch_database, orders_tables(), replace=True)
    root = tmp_path / "raw"
    with monkeypatch.context() as env:
        env.setenv("RAW_DESTINATION", "filesystem")
        env.setenv("RAW_BUCKET_URL", str(root))
        files = raw_pipeline("orders")
    postgres = raw_pipeline("orders", url=own_warehouse)
    (_, files_second), (_, postgres_second) = load_twice([files, postgres], scratch_database)

    built = dbt_command(
        "warehouse", connection_environment(own_warehouse), "run", "--select", "stg_orders__orders"
    )
    assert built.returncode == 0, built.stdout[-4000:]
    registered = dbt_command(
        "spark",
        own_spark_environment,
        "run-operation",
        "register_parquet_sources",
        "--args",
        json.dumps({"root": str(root), "only": ["raw_orders.orders"]}),
    )
    assert registered.returncode == 0, registered.stdout[-4000:]
    built = dbt_command("spark", own_spark_environment, "run", "--select", "stg_orders__orders")
    assert built.returncode == 0, built.stdout[-4000:]

    on_postgres = _postgres_rows(own_warehouse)
    on_spark = _spark_rows(monkeypatch, own_spark_environment)
    # 12 orders once each on both; O002 as the rerun loaded it (cancelled), by the second load
    assert len(on_spark) == len(on_postgres) == 12
    load_ids = {row["order_id"]: row.pop("_dlt_load_id") for row in on_spark}
    assert load_ids["O002"] == files_second
    assert {row["order_id"]: row.pop("_dlt_load_id") for row in on_postgres}["O002"] == (
        postgres_second
    )
    assert on_spark == on_postgres
    assert [row["status"] for row in on_spark if row["order_id"] == "O002"] == ["cancelled"]
