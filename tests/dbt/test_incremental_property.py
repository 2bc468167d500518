"""Property: whatever arrives, an incremental build holds exactly what a full refresh builds.

The tiny company's staging rows (tests/fixtures/README.md) are copied into tables of a database of
their own, and every model above staging is built there once: the base. Each example clones the
base and runs a sequence of builds, each after a few changes written into those tables the way dlt
lands them (each change is one load: its rows carry a new `_dlt_load_id`; plan files are replaced
whole): new orders, refunds, activities and stage moves; updated order lines; deletes (a cancelled
order, an archived deal); late rows dated months back; a stage change moved weeks earlier; an FX
correction; a plan change (a product line's rate, a version's default rate); a credit split; a
period close (the month's published commission rows frozen in the store, as `make close-period`
does). Each build runs the models downstream of the relations the changes touched, as the
pipeline would. Then the database is cloned once more and the clone rebuilt with
`--full-refresh`: every model (every relation dbt built in intermediate, marts and
marts_audit) must hold the same rows in both, compared by a hash of its ordered rows (load-time
columns left out: dlt's `_dlt_*` and `*_refreshed_at`).

The staging models are views that rename and cast; the changes are written in their shape.
Hard deletes are not among the changes: no source deletes a row (the CRMs archive, orders are
cancelled, files are merged or replaced whole), and `make demo-remove` rebuilds in full.
"""

from __future__ import annotations

import datetime as dt
import os
import uuid
from collections.abc import Callable, Iterator
from contextlib import closing
from dataclasses import dataclass
from decimal import Decimal

import psycopg2
import pytest
from fixtures.staging_copy import copy_staging
from hypothesis import HealthCheck, Phase, example, given, settings
from hypothesis import strategies as st
from psycopg2 import sql

from ingestion.platform.warehouse_url import (
    database_of,
    drop_database,
    ensure_database,
    with_database,
)
from orchestration.defs.incentives.period_close import INCENTIVE_MARTS, freeze_period
from orchestration.defs.quality.publish import publish_tables

MODEL_SCHEMAS = ("intermediate", "marts", "marts_audit")
# Staging views over the stores dbt itself creates (closed periods, month-end decisions): kept as
# the real views, so a period close reaches the models as it does in the warehouse.
STORE_VIEWS = ("stg_incentives_closed__", "stg_commission_ops__")
ABOVE_STAGING = ("--exclude", "path:models/staging")
FIRST_DAY = dt.date(2026, 1, 2)
LAST_DAY = dt.date(2026, 3, 28)
# Late rows: dated up to two months before the tiny company's first order.
LATE_FIRST_DAY = dt.date(2025, 11, 3)
REPS = ("101", "102", "103", "104", "105")
PRODUCTS = ("P001", "P002", "P003")
CUSTOMERS = ("C001", "C002", "C003", "C005", "C007")


@dataclass(frozen=True)
class Change:
    """One load's worth of change. `pick` chooses among existing rows, `day` dates new ones
    (days after the first day of the change's range), `size` scales amounts and counts."""

    kind: str
    pick: int = 0
    day: int = 0
    size: int = 1


@dataclass
class Warehouse:
    """An example's database: its URL, the next load id, and how many rows it added so far."""

    url: str
    load_id: int
    added: int = 0


# --- applying changes -------------------------------------------------------------------------


def _columns(cur, relation: str) -> list[str]:
    cur.execute(
        "select column_name from information_schema.columns"
        " where table_schema = 'staging' and table_name = %s order by ordinal_position",
        (relation,),
    )
    return [name for (name,) in cur.fetchall()]


def _clone_row(cur, relation: str, where: sql.Composable, values: dict) -> None:
    """Insert a copy of the first row of `relation` matching `where`, with `values` replacing
    columns (those the relation lacks are ignored, e.g. `_dlt_load_id` of a replaced file)."""
    columns = _columns(cur, relation)
    select = sql.SQL(", ").join(
        sql.Literal(values[column]) if column in values else sql.Identifier(column)
        for column in columns
    )
    cur.execute(
        sql.SQL("insert into staging.{0} select {1} from staging.{0} where {2} limit 1").format(
            sql.Identifier(relation), select, where
        )
    )
    assert cur.rowcount == 1, (relation, where.as_string(cur))


def _update(cur, relation: str, where: sql.Composable, values: dict[str, sql.Composable]) -> int:
    """Update the rows of `relation` matching `where`, as a load would rewrite them: the load id
    is set too when the relation has one (key `_dlt_load_id` of `values`)."""
    columns = _columns(cur, relation)
    assignments = sql.SQL(", ").join(
        sql.SQL("{} = {}").format(sql.Identifier(column), value)
        for column, value in values.items()
        if column in columns
    )
    cur.execute(
        sql.SQL("update staging.{} set {} where {}").format(
            sql.Identifier(relation), assignments, where
        )
    )
    return cur.rowcount


def _picked(cur, query: str, pick: int) -> tuple:
    cur.execute(query)
    rows = cur.fetchall()
    assert rows, query
    return rows[pick % len(rows)]


def _load_stamp(warehouse: Warehouse) -> dict[str, object]:
    """What every row a load brings carries: the load id and a change time after every other."""
    changed_at = dt.datetime(2026, 4, 1, tzinfo=dt.UTC) + dt.timedelta(minutes=warehouse.load_id)
    return {"_dlt_load_id": str(warehouse.load_id), "updated_at": changed_at}


def _event_time(first_day: dt.date, day: int) -> dt.datetime:
    return dt.datetime.combine(first_day + dt.timedelta(days=day), dt.time(2), tzinfo=dt.UTC)


def _new_order(cur, warehouse: Warehouse, change: Change, first_day: dt.date) -> set[str]:
    """A new order of one or two lines on a day from `first_day` on."""
    warehouse.added += 1
    order_id = f"PX{warehouse.added:03d}"
    ordered_at = _event_time(first_day, change.day)
    stamp = _load_stamp(warehouse)
    _clone_row(
        cur,
        "stg_orders__orders",
        sql.SQL("order_id = 'O002'"),
        {
            **stamp,
            "order_id": order_id,
            "customer_id": CUSTOMERS[change.pick % len(CUSTOMERS)],
            "owner_id": REPS[change.pick % len(REPS)],
            "ordered_at": ordered_at,
            "order_date": ordered_at.date(),
            "order_currency": "USD" if change.size % 3 == 0 else "CNY",
        },
    )
    for line in range(1 + change.size % 2):
        product = PRODUCTS[(change.pick + line) % len(PRODUCTS)]
        quantity = 1 + (change.size + line) % 4
        _clone_row(
            cur,
            "stg_orders__order_lines",
            sql.SQL("product_id = {}").format(sql.Literal(product)),
            {
                **stamp,
                "order_line_id": f"{order_id}-{line}",
                "order_id": order_id,
                "quantity": quantity,
                "unit_price_amount": 1000 + 100 * change.size,
                "line_amount": quantity * (1000 + 100 * change.size),
            },
        )
    return {"stg_orders__orders", "stg_orders__order_lines"}


def _order_in_range(cur, warehouse: Warehouse, change: Change) -> set[str]:
    day = change.day % (LAST_DAY - FIRST_DAY).days
    return _new_order(cur, warehouse, Change(change.kind, change.pick, day, change.size), FIRST_DAY)


def _late_order(cur, warehouse: Warehouse, change: Change) -> set[str]:
    day = change.day % (FIRST_DAY - LATE_FIRST_DAY).days
    return _new_order(
        cur, warehouse, Change(change.kind, change.pick, day, change.size), LATE_FIRST_DAY
    )


def _update_line(cur, warehouse: Warehouse, change: Change) -> set[str]:
    """An order line's quantity corrected upwards."""
    (line_id,) = _picked(
        cur, "select order_line_id from staging.stg_orders__order_lines order by 1", change.pick
    )
    stamp = {key: sql.Literal(value) for key, value in _load_stamp(warehouse).items()}
    _update(
        cur,
        "stg_orders__order_lines",
        sql.SQL("order_line_id = {}").format(sql.Literal(line_id)),
        {
            **stamp,
            "quantity": sql.SQL("quantity + {}").format(sql.Literal(change.size)),
            "line_amount": sql.SQL("(quantity + {}) * unit_price_amount").format(
                sql.Literal(change.size)
            ),
        },
    )
    return {"stg_orders__order_lines"}


def _refund(cur, warehouse: Warehouse, change: Change) -> set[str]:
    """A refund of part of a completed order's line, some days after the order."""
    line_id, order_id, amount, order_date = _picked(
        cur,
        "select l.order_line_id, l.order_id, l.line_amount, o.order_date"
        " from staging.stg_orders__order_lines as l"
        " join staging.stg_orders__orders as o on o.order_id = l.order_id"
        " where o.status = 'completed' order by 1",
        change.pick,
    )
    warehouse.added += 1
    refunded_at = _event_time(order_date, 1 + change.day % 40)
    _clone_row(
        cur,
        "stg_orders__refunds",
        sql.SQL("refund_id = 'R001'"),
        {
            **_load_stamp(warehouse),
            "refund_id": f"RX{warehouse.added:03d}",
            "order_id": order_id,
            "order_line_id": line_id,
            "refund_type": "refund",
            "refunded_at": refunded_at,
            "refund_date": refunded_at.date(),
            "refund_amount": round(amount * change.size / 10, 2),
        },
    )
    return {"stg_orders__refunds"}


def _cancel_order(cur, warehouse: Warehouse, change: Change) -> set[str]:
    (order_id,) = _picked(
        cur,
        "select order_id from staging.stg_orders__orders where status = 'completed' order by 1",
        change.pick,
    )
    stamp = {key: sql.Literal(value) for key, value in _load_stamp(warehouse).items()}
    _update(
        cur,
        "stg_orders__orders",
        sql.SQL("order_id = {}").format(sql.Literal(order_id)),
        {**stamp, "status": sql.Literal("cancelled")},
    )
    return {"stg_orders__orders"}


def _archive_deal(cur, warehouse: Warehouse, change: Change) -> set[str]:
    """A CRM deal deleted (archived): the CRM loads keep it, flagged."""
    (deal_id,) = _picked(
        cur,
        "select deal_id from staging.stg_crm__deals where not is_deleted order by 1",
        change.pick,
    )
    stamp = {key: sql.Literal(value) for key, value in _load_stamp(warehouse).items()}
    _update(
        cur,
        "stg_crm__deals",
        sql.SQL("deal_id = {}").format(sql.Literal(deal_id)),
        {**stamp, "is_deleted": sql.Literal(True)},
    )
    return {"stg_crm__deals"}


def _new_activity(cur, warehouse: Warehouse, change: Change) -> set[str]:
    """A visit, possibly dated months back (an export of old history)."""
    warehouse.added += 1
    occurred_at = _event_time(LATE_FIRST_DAY, change.day % (LAST_DAY - LATE_FIRST_DAY).days)
    _clone_row(
        cur,
        "stg_crm__activities",
        sql.SQL("activity_id = '2004'"),
        {
            **_load_stamp(warehouse),
            "activity_id": f"AX{warehouse.added:03d}",
            "owner_id": REPS[change.pick % 3],
            "occurred_at": occurred_at,
        },
    )
    return {"stg_crm__activities"}


def _stage_move(cur, warehouse: Warehouse, change: Change) -> set[str]:
    """Open deal 1004 moves on a stage (quote, then negotiation), from its last move on."""
    stages = ("presentationscheduled", "decisionmakerboughtin")
    cur.execute(
        "select max(changed_at), count(*) from staging.stg_crm__deal_stage_changes"
        " where deal_id = '1004'"
    )
    last_move, moves = cur.fetchone()
    if moves - 2 >= len(stages):
        return set()
    stamp = _load_stamp(warehouse)
    stage = stages[moves - 2]
    changed_at = last_move + dt.timedelta(days=1 + change.day % 20)
    _clone_row(
        cur,
        "stg_crm__deal_stage_changes",
        sql.SQL("deal_id = '1004'"),
        {**stamp, "stage_id": stage, "changed_at": changed_at},
    )
    _update(
        cur,
        "stg_crm__deals",
        sql.SQL("deal_id = '1004'"),
        {
            **{key: sql.Literal(value) for key, value in stamp.items()},
            "stage_id": sql.Literal(stage),
        },
    )
    return {"stg_crm__deal_stage_changes", "stg_crm__deals"}


def _move_stage_change(cur, warehouse: Warehouse, change: Change) -> set[str]:
    """A recorded stage change corrected to weeks earlier (often into the month before): the
    stage entry it starts moves, and with it the month the funnel counts it in."""
    (deal_id, stage_id, changed_at) = _picked(
        cur,
        "select deal_id, stage_id, changed_at from staging.stg_crm__deal_stage_changes"
        " order by 1, 3, 2",
        change.pick,
    )
    stamp = {key: sql.Literal(value) for key, value in _load_stamp(warehouse).items()}
    moved = _update(
        cur,
        "stg_crm__deal_stage_changes",
        sql.SQL("deal_id = {} and stage_id = {} and changed_at = {}").format(
            sql.Literal(deal_id), sql.Literal(stage_id), sql.Literal(changed_at)
        ),
        {
            **stamp,
            "changed_at": sql.Literal(changed_at - dt.timedelta(days=10 + change.day % 40)),
        },
    )
    assert moved, (deal_id, stage_id, changed_at)
    return {"stg_crm__deal_stage_changes"}


def _fx_correction(cur, warehouse: Warehouse, change: Change) -> set[str]:
    """Finance corrects the USD rate of a day with USD orders (a day without a rate of its own
    would carry the rate of the day before on)."""
    (rate_date,) = _picked(
        cur,
        "select distinct rate_date from staging.stg_finance__fx_rates"
        " where from_currency = 'USD' and rate_date in"
        " (select order_date from staging.stg_orders__orders where order_currency = 'USD')"
        " order by 1",
        change.day,
    )
    stamp = {key: sql.Literal(value) for key, value in _load_stamp(warehouse).items()}
    updated = _update(
        cur,
        "stg_finance__fx_rates",
        sql.SQL("from_currency = 'USD' and rate_date = {}").format(sql.Literal(rate_date)),
        {**stamp, "fx_rate": sql.SQL("fx_rate + {}").format(sql.Literal(change.size / 100))},
    )
    assert updated, rate_date
    return {"stg_finance__fx_rates"}


def _plan_change(cur, warehouse: Warehouse, change: Change) -> set[str]:
    """A plan file edited: its product-line rates change (plans are replaced whole)."""
    updated = _update(
        cur,
        "stg_plans__plan_product_line_rates",
        sql.SQL("true"),
        {"rate": sql.SQL("rate + {}").format(sql.Literal(change.size / 1000))},
    )
    assert updated
    return {"stg_plans__plan_product_line_rates"}


def _plan_option_change(cur, warehouse: Warehouse, change: Change) -> set[str]:
    """A plan file edited: a plan version's default commission rate changes (an option of the
    version itself, read through each rep-period)."""
    updated = _update(
        cur,
        "stg_plans__plan_versions",
        sql.SQL("default_rate is not null"),
        {"default_rate": sql.SQL("default_rate + {}").format(sql.Literal(change.size / 1000))},
    )
    assert updated
    return {"stg_plans__plan_versions"}


def _team_move(cur, warehouse: Warehouse, change: Change) -> set[str]:
    """The org file edited back in time: a rep's assignments move to another team, the months
    already closed included (their lines are frozen, their team is read again)."""
    owner_id, team_id = _picked(
        cur,
        "select distinct owner_id, team_id from staging.stg_finance__rep_assignments"
        " where team_id is not null order by 1, 2",
        change.pick,
    )
    cur.execute(
        "select distinct team_id from staging.stg_finance__rep_assignments"
        " where team_id is not null and team_id != %s order by 1",
        (team_id,),
    )
    other_teams = [other for (other,) in cur.fetchall()]
    assert other_teams, team_id
    other_team = other_teams[change.size % len(other_teams)]
    moved = _update(
        cur,
        "stg_finance__rep_assignments",
        sql.SQL("owner_id = {} and team_id = {}").format(
            sql.Literal(owner_id), sql.Literal(team_id)
        ),
        {"team_id": sql.Literal(other_team)},
    )
    assert moved, (owner_id, team_id)
    return {"stg_finance__rep_assignments"}


def _credit_split(cur, warehouse: Warehouse, change: Change) -> set[str]:
    """The credit splits register edited: a deal with orders is shared between its order's rep
    and another rep (its earlier split, if any, replaced)."""
    deal_id, rep_id = _picked(
        cur,
        "select distinct deal_id, owner_id from staging.stg_orders__orders"
        " where deal_id is not null order by 1, 2",
        change.pick,
    )
    other_rep = next(rep for rep in REPS[change.size % len(REPS) :] + REPS if rep != rep_id)
    share = Decimal("0.5") + Decimal(change.size) / 20
    cur.execute("delete from staging.stg_plans__credit_splits where deal_id = %s", (deal_id,))
    cur.execute(
        "insert into staging.stg_plans__credit_splits (deal_id, rep_id, credit_share, source_file)"
        " values (%s, %s, %s, 'credit_splits.csv'), (%s, %s, %s, 'credit_splits.csv')",
        (deal_id, rep_id, share, deal_id, other_rep, 1 - share),
    )
    return {"stg_plans__credit_splits"}


def _close(cur, warehouse: Warehouse, change: Change) -> set[str]:
    """Close the oldest open commission month, as `make close-period` does: publish the build,
    freeze the month's rows into the store."""
    cur.execute(
        "select min(period_start) from marts_audit.fct_payouts where status = 'open'"
        " and period_start not in (select period_start from incentives_closed.closed_periods)"
    )
    (month,) = cur.fetchone()
    if month is None:
        return set()
    publish_tables(warehouse.url, INCENTIVE_MARTS)
    freeze_period(warehouse.url, month, "property test")
    return {
        "stg_incentives_closed__closed_periods",
        "stg_incentives_closed__commission_lines",
        "stg_incentives_closed__payouts",
        "stg_incentives_closed__incentive_points",
    }


CHANGES: dict[str, Callable[..., set[str]]] = {
    "new_order": _order_in_range,
    "late_order": _late_order,
    "update_line": _update_line,
    "refund": _refund,
    "cancel_order": _cancel_order,
    "archive_deal": _archive_deal,
    "new_activity": _new_activity,
    "stage_move": _stage_move,
    "move_stage_change": _move_stage_change,
    "fx_correction": _fx_correction,
    "plan_change": _plan_change,
    "plan_option_change": _plan_option_change,
    "credit_split": _credit_split,
    "team_move": _team_move,
    "close": _close,
}

changes = st.builds(
    Change,
    kind=st.sampled_from(sorted(CHANGES)),
    pick=st.integers(0, 50),
    day=st.integers(0, 120),
    size=st.integers(1, 6),
)


# --- databases, builds and hashes -------------------------------------------------------------


def _admin(url: str) -> str:
    return with_database(url, "postgres")


def _clone_database(url: str, name: str) -> str:
    """A new database `name` copied from the one at `url` (whose sessions, ours, are ended)."""
    conn = psycopg2.connect(_admin(url))
    conn.autocommit = True
    template = database_of(url)
    with closing(conn), conn.cursor() as cur:
        cur.execute(
            "select pg_terminate_backend(pid) from pg_stat_activity"
            " where datname = %s and pid <> pg_backend_pid()",
            (template,),
        )
        cur.execute(
            sql.SQL("create database {} template {}").format(
                sql.Identifier(name), sql.Identifier(template)
            )
        )
    return with_database(url, name)


def _model_rows_query(cur, schema: str, relation: str) -> sql.Composable:
    cur.execute(
        "select column_name from information_schema.columns"
        " where table_schema = %s and table_name = %s and column_name not like '\\_dlt\\_%%'"
        " and column_name not like '%%\\_refreshed\\_at' order by ordinal_position",
        (schema, relation),
    )
    columns = sql.SQL(", ").join(sql.Identifier(name) for (name,) in cur.fetchall())
    return sql.SQL("select cast(row({}) as text) as row_text from {}.{}").format(
        columns, sql.Identifier(schema), sql.Identifier(relation)
    )


def _model_hashes(url: str) -> dict[str, tuple[str, int]]:
    """Every relation dbt built above staging: (hash of its ordered rows, row count)."""
    with closing(psycopg2.connect(url)) as conn, conn.cursor() as cur:
        cur.execute(
            "select table_schema, table_name from information_schema.tables"
            " where table_schema = any(%s) order by 1, 2",
            (list(MODEL_SCHEMAS),),
        )
        hashes = {}
        for schema, relation in cur.fetchall():
            cur.execute(
                sql.SQL(
                    "select md5(coalesce(string_agg(row_text, '|' order by row_text), '')),"
                    " count(*) from ({}) as model_rows"
                ).format(_model_rows_query(cur, schema, relation))
            )
            hashes[f"{schema}.{relation}"] = cur.fetchone()
        return hashes


def _rows(url: str, model: str) -> set[str]:
    schema, relation = model.split(".")
    with closing(psycopg2.connect(url)) as conn, conn.cursor() as cur:
        cur.execute(_model_rows_query(cur, schema, relation))
        return {row for (row,) in cur.fetchall()}


def _differences(incremental_url: str, full_url: str) -> dict[str, dict]:
    """The models whose rows differ, with a few rows only one build has."""
    incremental, full = _model_hashes(incremental_url), _model_hashes(full_url)
    assert incremental.keys() == full.keys()
    differing = {}
    for model in sorted(model for model in full if incremental[model] != full[model]):
        ours, theirs = _rows(incremental_url, model), _rows(full_url, model)
        differing[model] = {
            "rows (incremental, full)": (len(ours), len(theirs)),
            "only incremental": sorted(ours - theirs)[:3],
            "only full refresh": sorted(theirs - ours)[:3],
        }
    return differing


@pytest.fixture
def base_warehouse(pipeline_run, warehouse_url: str, run_dbt) -> Iterator[str]:
    """The tiny company's staging rows as tables, every model built on them (dropped after)."""
    name = f"spw_property_{uuid.uuid4().hex[:8]}"
    ensure_database(_admin(warehouse_url), name)
    try:
        url = with_database(warehouse_url, name)
        copy_staging(warehouse_url, url, "staging", skip_prefixes=STORE_VIEWS)
        run_dbt(url, "run", "--select", *(f"{prefix}*" for prefix in STORE_VIEWS))
        run_dbt(url, "run", *ABOVE_STAGING)
        yield url
    finally:
        drop_database(_admin(warehouse_url), name)


def _newest_load_id(url: str) -> int:
    with closing(psycopg2.connect(url)) as conn, conn.cursor() as cur:
        cur.execute(
            "select table_name from information_schema.columns"
            " where table_schema = 'staging' and column_name = '_dlt_load_id'"
        )
        selects = [
            sql.SQL("select max(cast(_dlt_load_id as numeric)) as id from staging.{}").format(
                sql.Identifier(relation)
            )
            for (relation,) in cur.fetchall()
        ]
        cur.execute(
            sql.SQL("select max(id) from ({}) as loads").format(
                sql.SQL(" union all ").join(selects)
            )
        )
        return int(cur.fetchone()[0])


def _build_incrementally(url: str, first_load_id: int, builds: list[list[Change]], run_dbt) -> None:
    """Apply each build's changes (one load each), then build what they touched."""
    warehouse = Warehouse(url, first_load_id)
    for changes_of_build in builds:
        touched: set[str] = set()
        for change in changes_of_build:
            with closing(psycopg2.connect(url)) as conn, conn, conn.cursor() as cur:
                touched |= CHANGES[change.kind](cur, warehouse, change)
            warehouse.load_id += 1
        if touched:
            selected = [f"{relation}+" for relation in sorted(touched)]
            run_dbt(url, "run", "--select", *selected, *ABOVE_STAGING)


def test_incremental_builds_equal_a_full_refresh(base_warehouse: str, run_dbt) -> None:
    first_load_id = _newest_load_id(base_warehouse) + 1

    # Each example costs a dbt run per build and a full refresh: one generated example per test
    # run beside the explicit one. It is the same one every run (derandomized), so a red run is
    # reproducible; SPW_PROPERTY_RANDOM=1 draws a new one each time to explore (a failure prints
    # its changes: add it as an @example).
    @settings(
        max_examples=1,
        derandomize=os.environ.get("SPW_PROPERTY_RANDOM") != "1",
        deadline=None,
        database=None,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    )
    @given(builds=st.lists(st.lists(changes, min_size=1, max_size=3), min_size=1, max_size=2))
    # Every kind of change, in three builds, each meeting the others' rows: the close freezes
    # the first build's oldest month; a late order and a refund then land in closed months; the
    # third build moves a rep of the closed month to another team.
    @example(
        builds=[
            [
                Change("new_order", pick=1, day=70, size=3),
                Change("update_line", pick=4, size=2),
                Change("fx_correction", day=64, size=5),
            ],
            [
                Change("close"),
                Change("late_order", pick=2, day=70, size=2),
                Change("refund", pick=3, day=10, size=4),
                Change("cancel_order", pick=5),
                Change("archive_deal", pick=2),
                Change("stage_move", day=3),
                Change("move_stage_change", pick=7, day=25),
                Change("new_activity", pick=1, day=20),
                Change("plan_change", size=5),
                Change("plan_option_change", size=2),
                Change("credit_split", pick=1, size=3),
            ],
            # A month closed by an earlier build, then moved to another team by the org file.
            [Change("team_move", pick=1, size=1)],
        ]
    )
    def incremental_equals_full(builds: list[list[Change]]) -> None:
        # dbt runs on one database name only, the same for every example: dbt parses the project
        # once per database name (10-30 s). The incremental result is kept in a copy, and the
        # full refresh runs where the incremental builds ran.
        name = f"spw_property_work_{os.getpid()}"
        names = (name, f"{name}_incremental")
        for database in names:
            drop_database(_admin(base_warehouse), database)
        try:
            url = _clone_database(base_warehouse, name)
            _build_incrementally(url, first_load_id, builds, run_dbt)
            incremental_url = _clone_database(url, names[1])
            run_dbt(url, "run", "--full-refresh", *ABOVE_STAGING)
            assert _differences(incremental_url, url) == {}, builds
        finally:
            for database in names:
                drop_database(_admin(base_warehouse), database)

    incremental_equals_full()
