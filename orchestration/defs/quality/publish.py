"""Write-audit-publish: the marts that pay people reach `marts` only after their checks pass.

dbt's own blocking does not protect a table: `dbt build` replaces a model's table first and runs
its tests afterwards, so a failing test skips the models downstream but leaves the bad table in
place for everyone reading it (verified in `tests/orchestration/test_blocking_checks.py`). Only
constraints of an enforced contract (not null, primary key) stop a bad build before the swap,
because Postgres refuses the new table; value rules, reconciliations and GX suites cannot.

So guarded models are built by dbt into the audit schema `marts_audit` (set by folder in
`dbt_project.yml`); their blocking checks (dbt tests and Great Expectations suites) run there; and
only when every one of them passed does the publish asset copy the audited tables into `marts`,
all of them in one transaction. When a blocking check fails, Dagster skips the publish step and
everything after it, and `marts` keeps the previous good tables for the app and for finance.

A model is guarded when dbt puts it in `marts_audit`; the published table keeps its name.
"""

from collections.abc import Iterator, Sequence
from typing import Any

import psycopg2
from dagster import (
    AssetExecutionContext,
    AssetKey,
    AssetsDefinition,
    AssetSpec,
    MaterializeResult,
    PartitionsDefinition,
    multi_asset,
)
from psycopg2 import sql

from ingestion.platform.warehouse_url import warehouse_url
from orchestration.resources import dbt_models

AUDIT_SCHEMA = "marts_audit"
PUBLISHED_SCHEMA = "marts"


def guarded_models() -> list[str]:
    """The dbt models built into the audit schema, by name, from the dbt manifest."""
    return [name for schema, name in dbt_models() if schema == AUDIT_SCHEMA]


def _columns(cur: Any, schema: str, table: str) -> list[tuple[str, str]]:
    cur.execute(
        "select a.attname, format_type(a.atttypid, a.atttypmod) from pg_attribute as a"
        " join pg_class as c on c.oid = a.attrelid"
        " join pg_namespace as n on n.oid = c.relnamespace"
        " where n.nspname = %s and c.relname = %s and a.attnum > 0 and not a.attisdropped"
        " order by a.attnum",
        (schema, table),
    )
    return [(name, kind) for name, kind in cur.fetchall()]


def protect_mart(cur: Any, table: str) -> None:
    """Give a newly created published table the app's grants and row-level security (the
    function dbt's access macros create, dbt_project/macros/access), in the same transaction."""
    cur.execute("select to_regprocedure('app_meta.protect_mart(regclass)') is not null")
    if cur.fetchone()[0]:
        cur.execute("select app_meta.protect_mart(%s::regclass)", (f"{PUBLISHED_SCHEMA}.{table}",))


def _publish_one(cur: Any, table: str, where: tuple[str, str] | None) -> int:
    audited = sql.Identifier(AUDIT_SCHEMA, table)
    published = sql.Identifier(PUBLISHED_SCHEMA, table)
    source_columns = _columns(cur, AUDIT_SCHEMA, table)
    if not source_columns:
        raise RuntimeError(f"{AUDIT_SCHEMA}.{table} does not exist: build it with dbt first")
    filter_sql = sql.SQL("")
    params: tuple[str, ...] = ()
    if where is not None:
        filter_sql = sql.SQL(" where {} = %s").format(sql.Identifier(where[0]))
        params = (where[1],)
    if _columns(cur, PUBLISHED_SCHEMA, table) == source_columns:
        # Same shape: replace the rows and keep the table, so grants and dependent views stay.
        if where is None:
            cur.execute(sql.SQL("truncate table {}").format(published))
        else:
            cur.execute(sql.SQL("delete from {}").format(published) + filter_sql, params)
    else:
        # New or changed shape: the audited table's definition (types, constraints, comments).
        cur.execute(sql.SQL("drop table if exists {}").format(published))
        cur.execute(sql.SQL("create table {} (like {} including all)").format(published, audited))
        cur.execute(
            "select obj_description(%s::regclass, 'pg_class')", (f"{AUDIT_SCHEMA}.{table}",)
        )
        (comment,) = cur.fetchone()
        if comment:
            cur.execute(sql.SQL("comment on table {} is %s").format(published), (comment,))
        filter_sql = sql.SQL("")  # a new table takes every audited row
        params = ()
        protect_mart(cur, table)
    cur.execute(
        sql.SQL("insert into {} select * from {}").format(published, audited) + filter_sql, params
    )
    return cur.rowcount


def publish_tables(
    url: str, tables: Sequence[str], where: tuple[str, str] | None = None
) -> dict[str, int]:
    """Copy audited tables into `marts` in one transaction; returns the rows written per table.

    With `where` (a column and a value, e.g. a period's first day) only those rows are replaced,
    so one partition can be republished alone.
    """
    conn = psycopg2.connect(url)
    try:
        with conn, conn.cursor() as cur:
            cur.execute(
                sql.SQL("create schema if not exists {}").format(sql.Identifier(PUBLISHED_SCHEMA))
            )
            return {table: _publish_one(cur, table, where) for table in tables}
    finally:
        conn.close()


def build_publish_asset(
    models: Sequence[str],
    *,
    name: str = "publish_audited_marts",
    partitions_def: PartitionsDefinition | None = None,
    partition_column: str | None = None,
) -> AssetsDefinition:
    """One step publishing `models` from `marts_audit` to `marts` once their checks passed.

    For monthly-partitioned models pass their `partitions_def` and the column holding the
    partition's date (e.g. `period_start`): a run for one month republishes that month's rows.
    """
    specs = [
        AssetSpec(
            key=AssetKey([PUBLISHED_SCHEMA, model]),
            deps=[AssetKey([AUDIT_SCHEMA, model])],
            group_name=PUBLISHED_SCHEMA,
            kinds={"postgres"},
            description=f"`{AUDIT_SCHEMA}.{model}` published after its blocking checks passed.",
        )
        for model in models
    ]

    @multi_asset(specs=specs, name=name, partitions_def=partitions_def, pool="publish_marts")
    def publish(context: AssetExecutionContext) -> Iterator[MaterializeResult]:
        where = None
        if partitions_def is not None and partition_column is not None:
            where = (partition_column, context.partition_key)
        counts = publish_tables(warehouse_url(), models, where)
        for model, rows in counts.items():
            context.log.info(
                f"published {AUDIT_SCHEMA}.{model} -> {PUBLISHED_SCHEMA}.{model}: {rows} rows"
            )
            yield MaterializeResult(
                asset_key=AssetKey([PUBLISHED_SCHEMA, model]),
                metadata={"rows_published": rows, "audited_table": f"{AUDIT_SCHEMA}.{model}"},
            )

    return publish
