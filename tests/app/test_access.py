"""Row-level security on the marts: a rep's own database session, typing any SQL it likes, reads
only that rep's rows; a manager reads their team's; finance reads everything; the app's reader
role alone reads nothing."""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from urllib.parse import quote, urlsplit, urlunsplit

import psycopg2
import pytest
from psycopg2 import errors, sql


@contextmanager
def login_as(warehouse_url: str, db_role: str) -> Iterator[psycopg2.extensions.cursor]:
    """A session logged in as `db_role` itself (a temporary password, removed afterwards), so no
    `reset role` can lead back to a more powerful user."""
    password = secrets.token_urlsafe(16)
    admin = psycopg2.connect(warehouse_url)
    admin.autocommit = True
    with admin.cursor() as cur:
        cur.execute(
            sql.SQL("alter role {} login password {}").format(
                sql.Identifier(db_role), sql.Literal(password)
            )
        )
    parts = urlsplit(warehouse_url)
    netloc = f"{quote(db_role)}:{quote(password)}@{parts.hostname}:{parts.port}"
    conn = psycopg2.connect(urlunsplit(parts._replace(netloc=netloc)))
    conn.autocommit = True
    try:
        with conn.cursor() as cur:
            yield cur
    finally:
        conn.close()
        with admin.cursor() as cur:
            cur.execute(
                sql.SQL("alter role {} nologin password null").format(sql.Identifier(db_role))
            )
        admin.close()


def _viewer_role(query, rep_id: str) -> str:
    return query("select db_role from app_meta.viewers where rep_id = %s", (rep_id,))[0][0]


@pytest.fixture(scope="module")
def two_paid_reps(require_marts, warehouse_url: str) -> tuple[str, str]:
    """Two reps with payouts, neither managing the other."""
    require_marts("dim_reps", "fct_payouts", "fct_commission_lines")
    with psycopg2.connect(warehouse_url) as conn, conn.cursor() as cur:
        cur.execute(
            """
            select distinct payouts.rep_id
            from marts.fct_payouts as payouts
            inner join app_meta.viewers as viewers on payouts.rep_id = viewers.rep_id
            where viewers.viewer_role = 'rep'
            order by 1
            """
        )
        reps = [row[0] for row in cur.fetchall()]
    assert len(reps) >= 2, "the fixture should pay at least two reps"
    return reps[0], reps[1]


def test_a_rep_reads_only_their_own_payouts_even_with_hand_written_sql(
    query, warehouse_url: str, two_paid_reps: tuple[str, str]
) -> None:
    me, colleague = two_paid_reps
    (mine,) = query("select count(*) from marts.fct_payouts where rep_id = %s", (me,))[0]
    assert mine > 0
    with login_as(warehouse_url, _viewer_role(query, me)) as cur:
        cur.execute("select rep_id, count(*) from marts.fct_payouts group by rep_id")
        assert cur.fetchall() == [(me, mine)]
        cur.execute("select count(*) from marts.fct_payouts where rep_id = %s", (colleague,))
        assert cur.fetchone() == (0,)
        cur.execute("select count(*) from marts.fct_commission_lines where rep_id <> %s", (me,))
        assert cur.fetchone() == (0,)
        # Nothing the session can switch to widens its view.
        cur.execute("reset role")
        cur.execute("select count(*) from marts.fct_payouts where rep_id = %s", (colleague,))
        assert cur.fetchone() == (0,)
        cur.execute("set role spw_rep")
        cur.execute("select count(*) from marts.fct_payouts")
        assert cur.fetchone() == (0,)
        cur.execute("reset role")
        for forbidden in (
            "set role spw_finance",
            "set role spw_app",
            "alter table marts.fct_payouts disable row level security",
            "insert into app_meta.viewer_reps values (current_user, 'x')",
            "select * from app_meta.viewers",
        ):
            with pytest.raises(errors.InsufficientPrivilege):
                cur.execute(forbidden)
        cur.execute("select count(*) from app_meta.viewer_reps where rep_id = %s", (colleague,))
        assert cur.fetchone() == (0,)


def test_a_manager_reads_their_reps_and_finance_reads_everyone(
    query, warehouse_url: str, require_marts
) -> None:
    require_marts("dim_reps", "fct_orders")
    manager, reports = query(
        """
        select manager_rep_id, array_agg(distinct rep_id order by rep_id)
        from marts.dim_reps
        where manager_rep_id is not null
        group by manager_rep_id
        order by count(distinct rep_id) desc, manager_rep_id
        limit 1
        """
    )[0]
    expected = sorted({manager, *reports})
    everyone = [row[0] for row in query("select distinct rep_id from marts.fct_orders order by 1")]
    with login_as(warehouse_url, _viewer_role(query, manager)) as cur:
        cur.execute("select distinct rep_id from marts.fct_orders order by 1")
        assert [row[0] for row in cur.fetchall()] == [r for r in everyone if r in expected]
    with login_as(warehouse_url, "spw_finance") as cur:
        cur.execute("select distinct rep_id from marts.fct_orders order by 1")
        assert [row[0] for row in cur.fetchall()] == everyone
    with login_as(warehouse_url, "spw_app_reader") as cur:
        cur.execute("select count(*) from marts.fct_orders")
        assert cur.fetchone() == (0,)
        with pytest.raises(errors.InsufficientPrivilege):
            cur.execute("create table marts.sneaky (x int)")


# Carol Zhang (103) moves from Alice's team East A (11) to East B (12) on 2026-02-01. In the tiny
# company Alice manages both teams; here East B passes to Dan Chen (104), so the move takes Carol
# from one manager to another, as a transfer between teams does.
MOVE_DAY = "2026-02-01"
MOVED_REP, FORMER_MANAGER, NEW_MANAGER = "103", "101", "104"

# Each mart with a rep's rows and the date that places a row in an assignment period
# (docs/access.md: the first known date column; an open deal counts as today).
DATED_MARTS = {
    "fct_orders": ("rep_id", "order_date"),
    "fct_order_lines": ("rep_id", "order_date"),
    "fct_activities": ("rep_id", "activity_date"),
    "fct_deals": ("rep_id", "coalesce(closed_date, current_date)"),
    "fct_funnel_stages": ("rep_id", "entry_month"),
    "fct_rep_activity_monthly": ("rep_id", "month_start"),
    "fct_commission_lines": ("rep_id", "period_start"),
    "fct_payouts": ("rep_id", "period_start"),
    "fct_incentive_points": ("rep_id", "period_start"),
    "fct_target_attainment": ("scope_id", "period_start"),
    "fct_sales_kpis_monthly": ("scope_id", "month_start"),
}


def _reassign_team_12(warehouse_url: str, manager: str) -> None:
    """East B's manager in `marts.dim_reps` becomes `manager`, and the viewers follow (as the
    next build's on-run-end would derive them)."""
    with psycopg2.connect(warehouse_url) as conn, conn.cursor() as cur:
        cur.execute(
            "update marts.dim_reps set manager_rep_id = %s where team_id = '12'", (manager,)
        )
        cur.execute("select app_meta.refresh_viewers()")


@pytest.fixture
def moved_rep(require_marts, warehouse_url: str) -> Iterator[str]:
    require_marts("dim_reps", *DATED_MARTS)
    _reassign_team_12(warehouse_url, NEW_MANAGER)
    try:
        yield MOVED_REP
    finally:
        _reassign_team_12(warehouse_url, FORMER_MANAGER)


def _rows(cur, mart: str, rep_column: str, condition: str = "true") -> list[tuple]:
    cur.execute(
        sql.SQL("select * from marts.{} where {} = %s and {}").format(
            sql.Identifier(mart), sql.Identifier(rep_column), sql.SQL(condition)
        ),
        (MOVED_REP,),
    )
    return sorted(cur.fetchall(), key=repr)


def test_a_manager_reads_a_moved_rep_only_for_the_time_on_their_team(
    query, warehouse_url: str, moved_rep: str
) -> None:
    # Hand-checked in tests/fixtures/tiny_company/orders: Carol's orders O003 (01-25, before the
    # move), O011 (02-10) and O004 (03-03), and their lines L004 | L014 | L005, L006.
    sides = {
        FORMER_MANAGER: (["O003"], ["L004"], "<"),
        NEW_MANAGER: (["O004", "O011"], ["L005", "L006", "L014"], ">="),
    }
    with psycopg2.connect(warehouse_url) as conn, conn.cursor() as admin:
        for manager, (orders, lines, side) in sides.items():
            expected = {
                mart: _rows(admin, mart, column, f"{row_date} {side} '{MOVE_DAY}'")
                for mart, (column, row_date) in DATED_MARTS.items()
            }
            with login_as(warehouse_url, _viewer_role(query, manager)) as cur:
                cur.execute(
                    "select order_id from marts.fct_orders where rep_id = %s order by 1",
                    (moved_rep,),
                )
                assert [row[0] for row in cur.fetchall()] == orders
                cur.execute(
                    "select order_line_id from marts.fct_order_lines where rep_id = %s order by 1",
                    (moved_rep,),
                )
                assert [row[0] for row in cur.fetchall()] == lines
                for mart, (column, _) in DATED_MARTS.items():
                    assert _rows(cur, mart, column) == expected[mart], mart
    # The comparison is not vacuous: Carol's targets run on both sides of the move.
    assert query(
        "select bool_or(period_start < %s) and bool_or(period_start >= %s)"
        " from marts.fct_target_attainment where scope_type = 'rep' and scope_id = %s",
        (MOVE_DAY, MOVE_DAY, moved_rep),
    ) == [(True,)]
    # Carol herself, and finance, read every one of her rows at any date.
    for db_role in (_viewer_role(query, moved_rep), "spw_finance"):
        with login_as(warehouse_url, db_role) as cur:
            cur.execute(
                "select order_id from marts.fct_orders where rep_id = %s order by 1", (moved_rep,)
            )
            assert [row[0] for row in cur.fetchall()] == ["O003", "O004", "O011"]
