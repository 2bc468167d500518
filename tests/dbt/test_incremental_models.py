"""The incremental facts built step by step equal a full refresh, row for row.

The tiny company's staging data is copied into a database of its own and shown to dbt through
views that hide every row changed after a cut-off (`updated_at`, or `changed_at` for stage
changes). dbt builds the incremental models at three growing cut-offs and then on all the data,
and the result is compared with a `--full-refresh` of the same models.
"""

from __future__ import annotations

import io
import uuid
from collections.abc import Iterator

import psycopg2
import pytest
from psycopg2 import sql

from ingestion.platform.warehouse_url import drop_database, ensure_database, with_database

INCREMENTAL_MODELS = ["fct_order_lines", "fct_deal_stage_history", "fct_activities"]
CURSOR_COLUMNS = ["updated_at", "changed_at"]


def _staging_columns(cur) -> dict[str, list[tuple[str, str]]]:
    cur.execute(
        """
        select c.relname, a.attname, format_type(a.atttypid, a.atttypmod)
        from pg_attribute as a
        join pg_class as c on c.oid = a.attrelid
        join pg_namespace as n on n.oid = c.relnamespace
        where n.nspname = 'staging' and a.attnum > 0 and not a.attisdropped
        order by c.relname, a.attnum
        """
    )
    relations: dict[str, list[tuple[str, str]]] = {}
    for relation, column, data_type in cur.fetchall():
        relations.setdefault(relation, []).append((column, data_type))
    return relations


def _copy_staging(source_url: str, copy_url: str) -> dict[str, list[tuple[str, str]]]:
    """Copy every staging relation's rows into tables of schema `staging_copy` at `copy_url`."""
    source = psycopg2.connect(source_url)
    copy = psycopg2.connect(copy_url)
    try:
        with source.cursor() as read, copy.cursor() as write:
            relations = _staging_columns(read)
            write.execute("create schema staging_copy; create schema staging")
            for relation, columns in relations.items():
                definition = sql.SQL(", ").join(
                    sql.SQL("{} {}").format(sql.Identifier(name), sql.SQL(data_type))
                    for name, data_type in columns
                )
                write.execute(
                    sql.SQL("create table staging_copy.{} ({})").format(
                        sql.Identifier(relation), definition
                    )
                )
                buffer = io.StringIO()
                read.copy_expert(f'copy (select * from staging."{relation}") to stdout', buffer)
                buffer.seek(0)
                write.copy_expert(f'copy staging_copy."{relation}" from stdin', buffer)
        copy.commit()
        return relations
    finally:
        source.close()
        copy.close()


@pytest.fixture
def staged_copy(pipeline_runs, warehouse_url: str) -> Iterator[tuple[str, dict]]:
    """A database of its own holding a copy of every staging relation (dropped afterwards)."""
    name = f"spw_incremental_{uuid.uuid4().hex[:8]}"
    admin_url = with_database(warehouse_url, "postgres")
    ensure_database(admin_url, name)
    try:
        url = with_database(warehouse_url, name)
        yield url, _copy_staging(warehouse_url, url)
    finally:
        drop_database(admin_url, name)


def _show_up_to(url: str, relations: dict, cutoff: str | None) -> None:
    """(Re)create every staging view over its copy, hiding rows changed after `cutoff`."""
    with psycopg2.connect(url) as conn, conn.cursor() as cur:
        for relation, columns in relations.items():
            cursor = next((c for c, _ in columns if c in CURSOR_COLUMNS), None)
            condition = sql.SQL("")
            if cutoff and cursor:
                condition = sql.SQL(" where {0} is null or {0} <= {1}").format(
                    sql.Identifier(cursor), sql.Literal(cutoff)
                )
            cur.execute(
                sql.SQL(
                    "create or replace view staging.{0} as select * from staging_copy.{0}"
                ).format(sql.Identifier(relation))
                + condition
            )


def _cutoffs(url: str, relations: dict) -> list[str]:
    """Three cut-offs at a quarter, half and three quarters of the distinct change timestamps."""
    selects = [
        sql.SQL("select {} as changed from staging_copy.{}").format(
            sql.Identifier(column), sql.Identifier(relation)
        )
        for relation, columns in relations.items()
        for column, _ in columns
        if column in CURSOR_COLUMNS
    ]
    query = sql.SQL(
        "select distinct changed from ({}) as all_changes where changed is not null order by 1"
    ).format(sql.SQL(" union all ").join(selects))
    with psycopg2.connect(url) as conn, conn.cursor() as cur:
        cur.execute(query)
        stamps = [row[0].isoformat() for row in cur.fetchall()]
    assert len(stamps) >= 8, "too few changes to step through"
    return [stamps[len(stamps) * share // 4] for share in (1, 2, 3)]


def _snapshot(url: str) -> dict[str, list[tuple]]:
    with psycopg2.connect(url) as conn, conn.cursor() as cur:
        rows = {}
        for model in INCREMENTAL_MODELS:
            cur.execute(f"select * from marts.{model} order by 1")
            rows[model] = cur.fetchall()
        return rows


def test_incremental_steps_equal_a_full_refresh(staged_copy, run_dbt) -> None:
    url, relations = staged_copy
    selection = ["--select", *(f"+{model}" for model in INCREMENTAL_MODELS)]
    selection += ["--exclude", "path:models/staging"]
    counts = []
    for cutoff in [*_cutoffs(url, relations), None]:
        _show_up_to(url, relations, cutoff)
        run_dbt(url, "run", *selection)
        counts.append({model: len(rows) for model, rows in _snapshot(url).items()})
    incremental = _snapshot(url)

    run_dbt(url, "run", "--full-refresh", *selection)
    full = _snapshot(url)

    # The steps really added rows: each model grew from the first cut-off to the end.
    for model in INCREMENTAL_MODELS:
        assert counts[0][model] < counts[-1][model], (model, counts)
    assert incremental == full
