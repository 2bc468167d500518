"""Publish the marts built on Spark into the app's PostgreSQL (docs/spark.md, "Publishing the
marts into PostgreSQL"): row-level security, the viewer roles and the app stay on PostgreSQL.

Each contracted mart (dbt's `marts` and `marts_audit` models) is read from the Spark catalogue
and written into `marts.<name>` in one transaction of its own: into the existing table (truncate,
insert: grants, policies and dependent views stay) when its columns and types are the contract's
as PostgreSQL reads them, else into a table created from the contract (types, not-null, primary
key), protected by `app_meta.protect_mart` in the same transaction, as the write-audit-publish
step does (`orchestration/defs/quality/publish.py`). Then, as dbt's on-run-end does
(`access_refresh`), every mart is protected again and the viewers follow `marts.dim_reps`.

Exact types: amounts arrive as Python `Decimal`s of the Spark column's scale; a Spark decimal with
more places than the contract's `numeric(p, s)` is refused rather than rounded by PostgreSQL.
Publish after a green `dbt build --target spark`: a failed test does not stop this step (on
PostgreSQL the blocking checks gate the incentive marts; here the build's result does).

    make publish-spark [MODELS=fct_payouts,dim_reps]
"""

from __future__ import annotations

import argparse
import json
import os
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from itertools import islice
from typing import TYPE_CHECKING, Any

import psycopg2
from psycopg2 import sql
from psycopg2.extras import execute_values

from ingestion.platform.paths import PROJECT_ROOT
from ingestion.platform.warehouse_url import warehouse_url
from orchestration.defs.quality.publish import PUBLISHED_SCHEMA, protect_mart
from orchestration.resources import ensure_dbt_manifest

if TYPE_CHECKING:
    from pyspark.sql import SparkSession

MART_SCHEMAS = ("marts", "marts_audit")
BATCH_ROWS = 5_000
_NUMERIC = re.compile(r"numeric\s*\(\s*(\d+)\s*,\s*(\d+)\s*\)")


class PublishError(RuntimeError):
    """A Spark table cannot be published as its contract says: the message names the fix."""


@dataclass(frozen=True)
class ContractColumn:
    name: str
    data_type: str  # PostgreSQL's name, as the contract gives it
    not_null: bool


@dataclass(frozen=True)
class ContractedMart:
    name: str
    spark_schema: str  # where dbt built it on Spark (`marts` or the audit schema)
    columns: tuple[ContractColumn, ...]
    primary_key: tuple[str, ...]


def contracted_marts(manifest: dict[str, Any] | None = None) -> list[ContractedMart]:
    """Every model with an enforced contract in the mart schemas, from dbt's manifest."""
    if manifest is None:
        manifest = json.loads(ensure_dbt_manifest().read_text())
    marts = []
    for node in manifest["nodes"].values():
        contract = node.get("config", {}).get("contract", {})
        if node["resource_type"] != "model" or node["schema"] not in MART_SCHEMAS:
            continue
        if not contract.get("enforced"):
            continue
        columns = []
        primary_key = []
        for column in node["columns"].values():
            kinds = {constraint["type"] for constraint in column.get("constraints", [])}
            columns.append(ContractColumn(column["name"], column["data_type"], "not_null" in kinds))
            if "primary_key" in kinds:
                primary_key.append(column["name"])
        marts.append(
            ContractedMart(node["name"], node["schema"], tuple(columns), tuple(primary_key))
        )
    return sorted(marts, key=lambda mart: mart.name)


def _shape(cur: Any, relation: str) -> list[tuple[str, str]] | None:
    """Column names and types of `relation` as PostgreSQL spells them; None when it is absent."""
    cur.execute("select to_regclass(%s)", (relation,))
    (oid,) = cur.fetchone()
    if oid is None:
        return None
    cur.execute(
        "select attname, format_type(atttypid, atttypmod) from pg_attribute"
        " where attrelid = %s::regclass and attnum > 0 and not attisdropped order by attnum",
        (relation,),
    )
    return [(name, kind) for name, kind in cur.fetchall()]


def _definition(mart: ContractedMart) -> sql.Composed:
    parts = [
        sql.SQL("{} {}{}").format(
            sql.Identifier(column.name),
            sql.SQL(column.data_type),  # the project's own contract text, not user input
            sql.SQL(" not null" if column.not_null else ""),
        )
        for column in mart.columns
    ]
    if mart.primary_key:
        keys = sql.SQL(", ").join(map(sql.Identifier, mart.primary_key))
        parts.append(sql.SQL("primary key ({})").format(keys))
    return sql.SQL(", ").join(parts)


def _check_decimals(mart: ContractedMart, spark_schema: Any) -> None:
    """Refuse a Spark decimal holding more places than the contract's numeric keeps."""
    spark_columns = {field.name.lower(): field.dataType for field in spark_schema.fields}
    missing = [c.name for c in mart.columns if c.name.lower() not in spark_columns]
    if missing:
        raise PublishError(
            f"{mart.spark_schema}.{mart.name} on Spark lacks {', '.join(missing)}: "
            "rebuild it with `dbt build --target spark` before publishing"
        )
    for column in mart.columns:
        declared = _NUMERIC.fullmatch(column.data_type.strip().lower())
        scale = getattr(spark_columns[column.name.lower()], "scale", None)
        if declared and scale is not None and scale > int(declared.group(2)):
            raise PublishError(
                f"{mart.spark_schema}.{mart.name}.{column.name} is decimal with {scale} places on "
                f"Spark, the contract's {column.data_type} keeps {declared.group(2)}: cast it in "
                "the model (the contract's type) rather than let PostgreSQL round it"
            )


def _rows(frame: Any) -> Iterator[tuple]:
    """The rows as PostgreSQL takes them. pyspark gives timestamps as naive local times of this
    process; `astimezone` reads them so and makes them aware (timestamptz)."""
    for row in frame.toLocalIterator():
        yield tuple(
            value.astimezone(UTC) if isinstance(value, datetime) and value.tzinfo is None else value
            for value in row
        )


def _publish_one(cur: Any, spark: SparkSession, mart: ContractedMart) -> int:
    frame = spark.table(f"{mart.spark_schema}.{mart.name}")
    _check_decimals(mart, frame.schema)
    frame = frame.select(*[column.name for column in mart.columns])
    published = sql.Identifier(PUBLISHED_SCHEMA, mart.name)
    cur.execute(
        sql.SQL("create temporary table contract_shape ({}) on commit drop").format(
            _definition(mart)
        )
    )
    if _shape(cur, f"{PUBLISHED_SCHEMA}.{mart.name}") == _shape(cur, "pg_temp.contract_shape"):
        cur.execute(sql.SQL("truncate table {}").format(published))
    else:
        cur.execute(sql.SQL("drop table if exists {}").format(published))
        cur.execute(sql.SQL("create table {} ({})").format(published, _definition(mart)))
        protect_mart(cur, mart.name)
    insert = sql.SQL("insert into {} ({}) values %s").format(
        published, sql.SQL(", ").join(sql.Identifier(c.name) for c in mart.columns)
    )
    written = 0
    rows = _rows(frame)
    while batch := list(islice(rows, BATCH_ROWS)):
        execute_values(cur, insert.as_string(cur), batch, page_size=BATCH_ROWS)
        written += len(batch)
    return written


def _refresh_viewers(cur: Any) -> None:
    """What dbt's on-run-end does for the app (`postgres__access_refresh`): protect every mart
    (now that all exist, a policy may refer to any), then the viewer roles from `dim_reps`."""
    cur.execute("select to_regprocedure('app_meta.refresh_viewers()') is not null")
    if not cur.fetchone()[0]:
        return
    cur.execute(
        "select app_meta.protect_mart(c.oid) from pg_class as c"
        " where c.relnamespace = to_regnamespace(%s) and c.relkind in ('r', 'p', 'v')",
        (PUBLISHED_SCHEMA,),
    )
    cur.execute("select app_meta.refresh_viewers()")


def publish_spark_marts(
    url: str, spark: SparkSession, marts: Sequence[ContractedMart]
) -> dict[str, int]:
    """Copy `marts` from Spark into PostgreSQL's `marts`, a transaction each, then refresh the
    viewers; returns the rows written per mart."""
    conn = psycopg2.connect(url)
    try:
        with conn, conn.cursor() as cur:
            cur.execute(
                sql.SQL("create schema if not exists {}").format(sql.Identifier(PUBLISHED_SCHEMA))
            )
        written = {}
        for mart in marts:
            with conn, conn.cursor() as cur:
                written[mart.name] = _publish_one(cur, spark, mart)
        with conn, conn.cursor() as cur:
            _refresh_viewers(cur)
        return written
    finally:
        conn.close()


def spark_session() -> SparkSession:
    """A session over the catalogue dbt's `spark` output uses: the same variables and defaults as
    dbt_project/profiles.yml (a cluster's driver brings its own catalogue settings)."""
    from pyspark.sql import SparkSession

    state = PROJECT_ROOT / ".state" / "spark"
    warehouse_dir = os.environ.get("SPARK_WAREHOUSE_DIR", str(state / "warehouse"))
    metastore = os.environ.get("SPARK_METASTORE_DIR", str(state / "metastore_db"))
    derby_home = os.environ.get("SPARK_DERBY_HOME", str(state))
    return (
        SparkSession.builder.master(os.environ.get("SPARK_MASTER", "local[2]"))
        .config("spark.driver.memory", os.environ.get("SPARK_DRIVER_MEMORY", "2g"))
        .config("spark.sql.warehouse.dir", warehouse_dir)
        .config(
            "spark.hadoop.javax.jdo.option.ConnectionURL",
            f"jdbc:derby:;databaseName={metastore};create=true",
        )
        .config("spark.driver.extraJavaOptions", f"-Dderby.system.home={derby_home}")
        .config("spark.sql.session.timeZone", "UTC")
        .config("spark.ui.enabled", "false")
        .enableHiveSupport()
        .getOrCreate()
    )


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        prog="make publish-spark",
        description="Copy the marts built on Spark into PostgreSQL's marts (docs/spark.md).",
    )
    parser.add_argument("--models", default="", help="comma-separated marts (default: all)")
    names = {name for name in parser.parse_args(argv).models.split(",") if name}
    marts = [mart for mart in contracted_marts() if not names or mart.name in names]
    unknown = names - {mart.name for mart in marts}
    if unknown:
        raise SystemExit(f"publish-spark: no contracted mart named {', '.join(sorted(unknown))}")
    spark = spark_session()
    try:
        for name, rows in publish_spark_marts(warehouse_url(), spark, marts).items():
            print(f"publish-spark: marts.{name}: {rows} rows")
    finally:
        spark.stop()


if __name__ == "__main__":
    main()
