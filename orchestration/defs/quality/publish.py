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

A publish replaces only the periods (`period_start`) whose audited rows changed since the last
one, when the table has that column (the commission lines: 24.6 million rows at bench scale XL,
of which a night's build rewrites the open months). Which ones changed is read from the rows
themselves, not trusted to the models' incremental logic: every publish records, per period, how
many rows it copied and the ids of the transactions that wrote them (PostgreSQL's `xmin`), in
`app_meta.published_periods`, while it holds the audited table against writers. Any later write
to a period comes from another transaction (one whose rows were seen had committed, so cannot
write again): an inserted or updated row brings a transaction id the period did not have, and a
deleted one lowers its count. A period with the same count and the same writers is, row for row,
what was published (transaction ids come round again only after four billion transactions).
`marts` is written by the publish only (the app's roles read). The first publish, a changed
shape, or a table without `period_start` copies the table whole, as every publish did before.
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


PERIOD_COLUMN = "period_start"
PUBLISHED_PERIODS = sql.Identifier("app_meta", "published_periods")

# a period as published: (its number of rows, the transactions that wrote them)
PeriodState = tuple[int, list[int]]


def _create_published_periods(cur: Any) -> None:
    cur.execute("create schema if not exists app_meta")
    cur.execute(
        sql.SQL(
            "create table if not exists {} (table_name text not null, period text not null,"
            " row_count bigint not null, writers bigint[] not null,"
            " primary key (table_name, period))"
        ).format(PUBLISHED_PERIODS)
    )


def _audited_periods(cur: Any, table: str) -> dict[Any, PeriodState]:
    """Each period of the audited table: its rows and the transactions that wrote them."""
    period = sql.Identifier(PERIOD_COLUMN)
    cur.execute(
        sql.SQL(
            "select {period}, count(*), array_agg(distinct xmin::text::bigint order by"
            " xmin::text::bigint) from {audited} group by {period}"
        ).format(period=period, audited=sql.Identifier(AUDIT_SCHEMA, table))
    )
    return {value: (count, writers) for value, count, writers in cur.fetchall()}


def _published_periods(cur: Any, table: str) -> dict[str, PeriodState]:
    cur.execute(
        sql.SQL("select period, row_count, writers from {} where table_name = %s").format(
            PUBLISHED_PERIODS
        ),
        (table,),
    )
    return {period: (count, writers) for period, count, writers in cur.fetchall()}


def _record_periods(cur: Any, table: str, periods: dict[Any, PeriodState] | None) -> None:
    """Remember what was published (None: nothing to compare against next time)."""
    cur.execute(sql.SQL("delete from {} where table_name = %s").format(PUBLISHED_PERIODS), (table,))
    if periods is None:
        return
    cur.executemany(
        sql.SQL("insert into {} values (%s, %s, %s, %s)").format(PUBLISHED_PERIODS),
        [(table, str(value), count, writers) for value, (count, writers) in periods.items()],
    )


def _changed_periods(
    audited: dict[Any, PeriodState], published: dict[str, PeriodState]
) -> tuple[list[str], bool]:
    """The periods (as text) whose rows differ from the published ones, and whether that is
    every period there is."""
    current = {str(value): state for value, state in audited.items()}
    changed = [p for p in current.keys() | published.keys() if current.get(p) != published.get(p)]
    return changed, len(changed) == len(current.keys() | published.keys())


def _replace_rows(cur: Any, table: str, column: tuple[str, str], values: list[str]) -> int:
    """Replace the published rows whose `column` (name, type) holds one of `values` (as text)
    with the audited ones; the rows written."""
    audited = sql.Identifier(AUDIT_SCHEMA, table)
    published = sql.Identifier(PUBLISHED_SCHEMA, table)
    name, kind = column
    only = sql.SQL(" where {} = any(cast(%s as {}[]))").format(sql.Identifier(name), sql.SQL(kind))
    cur.execute(sql.SQL("delete from {}").format(published) + only, (values,))
    cur.execute(
        sql.SQL("insert into {} select * from {}").format(published, audited) + only, (values,)
    )
    return cur.rowcount


def _create_published(cur: Any, table: str) -> None:
    """The published table with the audited one's definition (types, constraints, comments)."""
    audited = sql.Identifier(AUDIT_SCHEMA, table)
    published = sql.Identifier(PUBLISHED_SCHEMA, table)
    cur.execute(sql.SQL("drop table if exists {}").format(published))
    cur.execute(sql.SQL("create table {} (like {} including all)").format(published, audited))
    cur.execute("select obj_description(%s::regclass, 'pg_class')", (f"{AUDIT_SCHEMA}.{table}",))
    (comment,) = cur.fetchone()
    if comment:
        cur.execute(sql.SQL("comment on table {} is %s").format(published), (comment,))
    protect_mart(cur, table)


def _publish_one(cur: Any, table: str, where: tuple[str, str] | None) -> int:
    audited = sql.Identifier(AUDIT_SCHEMA, table)
    published = sql.Identifier(PUBLISHED_SCHEMA, table)
    source_columns = _columns(cur, AUDIT_SCHEMA, table)
    if not source_columns:
        raise RuntimeError(f"{AUDIT_SCHEMA}.{table} does not exist: build it with dbt first")
    # No build writes the audited table until this publish commits (dbt waits for the lock),
    # and another publish waits for this one before it reads what is published (the app reads on).
    cur.execute(sql.SQL("lock table {} in share mode").format(audited))
    published_columns = _columns(cur, PUBLISHED_SCHEMA, table)
    if published_columns:
        cur.execute(sql.SQL("lock table {} in share row exclusive mode").format(published))
    same_shape = published_columns == source_columns
    if where is not None and same_shape:
        # one partition's rows, republished alone; the next publish compares the table whole
        _record_periods(cur, table, None)
        column = (where[0], dict(source_columns)[where[0]])
        return _replace_rows(cur, table, column, [str(where[1])])
    kind = dict(source_columns).get(PERIOD_COLUMN)
    periods = _audited_periods(cur, table) if kind else None
    if periods is not None and None in periods:
        periods = None  # rows without a period match no period's filter: copy whole
    copy = sql.SQL("insert into {} select * from {}").format(published, audited)
    if not same_shape:
        # new or changed shape: a new table takes every audited row
        _create_published(cur, table)
        cur.execute(copy)
        written = cur.rowcount
    else:
        changed, everything = (
            ([], True)
            if periods is None
            else _changed_periods(periods, _published_periods(cur, table))
        )
        if everything:
            # replace the rows and keep the table, so grants and dependent views stay
            cur.execute(sql.SQL("truncate table {}").format(published))
            cur.execute(copy)
            written = cur.rowcount
        else:
            written = _replace_rows(cur, table, (PERIOD_COLUMN, kind), changed) if changed else 0
    _record_periods(cur, table, periods)
    return written


def publish_tables(
    url: str, tables: Sequence[str], where: tuple[str, str] | None = None
) -> dict[str, int]:
    """Copy audited tables into `marts` in one transaction; returns the rows written per table.

    Without `where`, the periods whose audited rows changed since the last publish (all of a
    table without `period_start`); with `where` (a column and a value, e.g. a period's first
    day) only those rows, so one partition can be republished alone.
    """
    conn = psycopg2.connect(url)
    try:
        with conn, conn.cursor() as cur:
            cur.execute(
                sql.SQL("create schema if not exists {}").format(sql.Identifier(PUBLISHED_SCHEMA))
            )
            _create_published_periods(cur)
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
                " written (the periods changed since the last publish)"
            )
            yield MaterializeResult(
                asset_key=AssetKey([PUBLISHED_SCHEMA, model]),
                metadata={"rows_written": rows, "audited_table": f"{AUDIT_SCHEMA}.{model}"},
            )

    return publish
