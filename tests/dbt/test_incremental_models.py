"""The incremental facts built step by step equal a full refresh, row for row.

The tiny company's staging data is copied into a database of its own; its rows are split into
four dlt loads by the quarter of their change time (`updated_at`, or `changed_at` for stage
changes), and dbt sees them through views that hide the loads not yet "arrived". dbt builds the
incremental models after each load, and the result is compared with a `--full-refresh` of the
same models: once with the loads in the order of their changes, once the other way round (the
oldest history imported last).
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import psycopg2
import pytest
from fixtures.staging_copy import copy_staging
from psycopg2 import sql

from ingestion.platform.warehouse_url import drop_database, ensure_database, with_database

# `make test-e2e` (CI runs it): two hand-written incremental sequences, each built twice; the
# property test (test_incremental_property.py, in `make test`) covers every kind of change.
pytestmark = pytest.mark.e2e

INCREMENTAL_MODELS = ["fct_order_lines", "fct_deal_stage_history", "fct_activities"]
CURSOR_COLUMNS = ["updated_at", "changed_at"]
LOAD_ID = "_dlt_load_id"
# dlt's load ids are epoch seconds; the staged copy's rows get 1700000001, 1700000002, ...
FIRST_LOAD_ID = 1_700_000_001


@pytest.fixture
def staged_copy(pipeline_run, warehouse_url: str) -> Iterator[tuple[str, dict]]:
    """A database of its own holding a copy of every staging relation (dropped afterwards)."""
    name = f"spw_incremental_{uuid.uuid4().hex[:8]}"
    admin_url = with_database(warehouse_url, "postgres")
    ensure_database(admin_url, name)
    try:
        url = with_database(warehouse_url, name)
        yield url, copy_staging(warehouse_url, url, "staging_copy")
    finally:
        drop_database(admin_url, name)


def _stamp_loads(url: str, relations: dict, cutoffs: list[str], newest_first: bool) -> int:
    """Give every staged row the dlt load id of the quarter its change time falls in: load 1 holds
    the rows changed up to the first cut-off, load 4 the rows changed after the last one
    (`newest_first`: the other way round, so the oldest events come in the last load). Rows
    without a change time come in load 1. Returns the number of loads."""
    buckets = [sql.Literal(cutoff) for cutoff in cutoffs]
    with psycopg2.connect(url) as conn, conn.cursor() as cur:
        for relation, columns in relations.items():
            names = [column for column, _ in columns]
            cursor = next((c for c in names if c in CURSOR_COLUMNS), None)
            if cursor is None or LOAD_ID not in names:
                continue
            quarter = sql.SQL(" + ").join(
                [sql.SQL("0")]
                + [
                    sql.SQL("case when {} > {} then 1 else 0 end").format(
                        sql.Identifier(cursor), bucket
                    )
                    for bucket in buckets
                ]
            )
            load = sql.SQL("{} - ({})").format(sql.Literal(len(buckets)), quarter)
            if not newest_first:
                load = sql.SQL("1 + ({})").format(quarter)
            cur.execute(
                sql.SQL(
                    "update staging_copy.{0} set {1} = cast({2} + ({3}) as text)"
                    " where {4} is not null"
                ).format(
                    sql.Identifier(relation),
                    sql.Identifier(LOAD_ID),
                    sql.Literal(FIRST_LOAD_ID - 1),
                    load,
                    sql.Identifier(cursor),
                )
            )
            cur.execute(
                sql.SQL("update staging_copy.{0} set {1} = {2} where {3} is null").format(
                    sql.Identifier(relation),
                    sql.Identifier(LOAD_ID),
                    sql.Literal(str(FIRST_LOAD_ID)),
                    sql.Identifier(cursor),
                )
            )
    return len(buckets) + 1


def _show_loads_up_to(url: str, relations: dict, last_load: int | None) -> None:
    """(Re)create every staging view over its copy, hiding the rows of loads after `last_load`."""
    with psycopg2.connect(url) as conn, conn.cursor() as cur:
        for relation, columns in relations.items():
            condition = sql.SQL("")
            if last_load is not None and LOAD_ID in (c for c, _ in columns):
                condition = sql.SQL(" where cast({} as numeric) <= {}").format(
                    sql.Identifier(LOAD_ID), sql.Literal(FIRST_LOAD_ID - 1 + last_load)
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


def _build_load_by_load(url: str, relations: dict, run_dbt, newest_first: bool) -> None:
    """Build the incremental models after each load, then compare with a full refresh."""
    selection = ["--select", *(f"+{model}" for model in INCREMENTAL_MODELS)]
    selection += ["--exclude", "path:models/staging"]
    loads = _stamp_loads(url, relations, _cutoffs(url, relations), newest_first)
    counts = []
    for last_load in range(1, loads + 1):
        _show_loads_up_to(url, relations, last_load)
        run_dbt(url, "run", *selection)
        counts.append({model: len(rows) for model, rows in _snapshot(url).items()})
    incremental = _snapshot(url)

    run_dbt(url, "run", "--full-refresh", *selection)
    full = _snapshot(url)

    # The steps really added rows: each model grew from the first load to the end.
    for model in INCREMENTAL_MODELS:
        assert counts[0][model] < counts[-1][model], (model, counts)
    assert incremental == full


def test_incremental_steps_equal_a_full_refresh(staged_copy, run_dbt) -> None:
    url, relations = staged_copy
    _build_load_by_load(url, relations, run_dbt, newest_first=False)


def test_history_loaded_after_newer_rows_is_taken_as_a_full_refresh_takes_it(
    staged_copy, run_dbt
) -> None:
    """The newest quarter of the changes comes in the first load and the oldest in the last, as
    when an export of earlier years is imported after the live CRM was loaded. A cursor on
    change or event dates skipped those rows until a `--full-refresh`; the load cursor takes
    them in the run after their load."""
    url, relations = staged_copy
    _build_load_by_load(url, relations, run_dbt, newest_first=True)
    with psycopg2.connect(url) as conn, conn.cursor() as cur:
        # the scenario holds: each model's rows came in several loads, and an activity of a
        # later load changed before every activity of the first load
        for model in INCREMENTAL_MODELS:
            cur.execute(f"select count(distinct _dlt_load_id) from marts.{model}")
            assert cur.fetchone()[0] >= 2, model
        cur.execute(
            "select max(source_updated_at) filter (where _dlt_load_id = last_load)"
            " < min(source_updated_at) filter (where _dlt_load_id = first_load)"
            " from marts.fct_activities cross join (select max(_dlt_load_id) as last_load,"
            " min(_dlt_load_id) as first_load from marts.fct_activities) as loads"
        )
        assert cur.fetchone() == (True,)
