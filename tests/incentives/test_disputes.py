"""Disputes on the tiny company: raised by reps through the database's own functions, resolved by
finance, paid as traced adjustment lines; and who may do what, checked by PostgreSQL itself.

Runs in a warehouse of its own (`tiny_warehouse` of test_period_close, module-scoped), with the
plans of `tests/incentives/plans/`: managers earn 2% and a 0.5% override with no draw, so an
accepted dispute shows in full in their payout. The tiny company's rows: tests/fixtures/README.md.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from decimal import Decimal

import psycopg2
import psycopg2.errors
import pytest

from tests.incentives.test_period_close import (
    _build_incentive_marts,
    _rows,
    monkeypatch_module,  # noqa: F401 (a fixture tiny_warehouse uses)
    tiny_warehouse,  # noqa: F401 (the module's own warehouse)
)

REBUILD = "path:models/intermediate/incentives path:models/marts/incentives"
PAYOUT = (
    "select adjustment_amount, net_payout_amount from marts.fct_payouts"
    " where rep_id = %s and period_start = %s"
)


def as_role(url: str, rep_id: str | None) -> Callable[..., list[tuple]]:
    """Run one statement as `rep_id`'s viewer role (finance's role when None), as the app does."""

    def run(sql: str, params: tuple = ()) -> list[tuple]:
        with psycopg2.connect(url) as conn, conn.cursor() as cur:
            if rep_id is None:
                role = "spw_finance"
            else:
                cur.execute("select db_role from app_meta.viewers where rep_id = %s", (rep_id,))
                role = cur.fetchone()[0]
            cur.execute("select set_config('role', %s, true)", (role,))
            cur.execute(sql, params)
            return cur.fetchall() if cur.description else []

    return run


def line_id(url: str, rep_id: str, period: str, source_id: str, rule: str) -> str:
    return _rows(
        url,
        "select commission_line_id from marts.fct_commission_lines where rep_id = %s"
        " and period_start = %s and source_id = %s and rule = %s",
        (rep_id, period, source_id, rule),
    )[0][0]


RAISE = "select commission_ops.raise_dispute(%s, %s, %s, %s, %s, %s)"
RESOLVE = "select commission_ops.resolve_dispute(%s, %s, %s, %s, %s)"


@pytest.fixture(scope="module")
def disputes(tiny_warehouse: tuple[str, str]) -> dict[str, object]:  # noqa: F811
    """On the built marts, 101 disputes L012 (January), 104 a missing deal (February);
    finance accepts the first and rejects the second; rebuild; close January; 101 disputes a
    January line again and finance accepts it into February."""
    from orchestration.incentives import close_period

    url, _ = tiny_warehouse
    seen: dict[str, object] = {}
    seen["payout_101_jan_before"] = _rows(url, PAYOUT, ("101", "2026-01-01"))
    seen["payouts_104_before"] = _rows(
        url, "select * from marts.fct_payouts where rep_id = '104' order by period_start"
    )
    l012 = line_id(url, "101", "2026-01-01", "L012", "base_rate")
    (seen["accepted_id"],) = as_role(url, "101")(
        RAISE, ("101", l012, None, None, "my plan pays 2.5% on hardware", "alice")
    )[0]
    (seen["rejected_id"],) = as_role(url, "104")(
        RAISE, ("104", None, "QD-9", "2026-02-01", "QD-9 was won in February", "dan")
    )[0]
    seen["open_for_finance"] = as_role(url, None)(
        "select dispute_id, status from commission_ops.dispute_status order by 1"
    )
    finance = as_role(url, None)
    # 11,500.00 x 0.5% more: the line paid 2% and the plan owed 2.5%
    finance(RESOLVE, (seen["accepted_id"], True, Decimal("57.50"), "2.5% agreed in Q4", "fiona"))
    finance(RESOLVE, (seen["rejected_id"], False, None, "QD-9 is still open in the CRM", "fiona"))
    _build_incentive_marts(url, REBUILD)
    seen["dispute_lines"] = _rows(
        url,
        "select rep_id, period_start, source_type, source_id, rule, payout_component,"
        " basis_amount, rate, amount, adjusts_period_start, dispute_id, adjustment_reason,"
        " approved_by, approved_at is not null from marts.fct_commission_lines"
        " where dispute_id is not null order by dispute_id",
    )
    seen["payout_101_jan_after"] = _rows(url, PAYOUT, ("101", "2026-01-01"))
    seen["payouts_104_after"] = _rows(
        url, "select * from marts.fct_payouts where rep_id = '104' order by period_start"
    )
    seen["status_as_104"] = as_role(url, "104")(
        "select dispute_id, status, resolution_reason, resolved_by from"
        " commission_ops.dispute_status"
    )
    seen["status_as_102"] = as_role(url, "102")("select * from commission_ops.dispute_status")

    assert close_period("2026-01") == 0
    seen["payout_101_feb_before"] = _rows(url, PAYOUT, ("101", "2026-02-01"))
    l003 = line_id(url, "101", "2026-01-01", "L003", "manager_override")
    (late_id,) = as_role(url, "101")(
        RAISE, ("101", l003, None, None, "the override is 0.6% since January", "alice")
    )[0]
    seen["late_id"] = late_id
    finance(RESOLVE, (late_id, True, Decimal("3.60"), "0.6% from January", "fiona"))
    _build_incentive_marts(url, REBUILD)
    seen["dispute_lines_after_close"] = _rows(
        url,
        "select period_start, source_id, amount, adjusts_period_start, is_closed"
        " from marts.fct_commission_lines where dispute_id is not null order by dispute_id",
    )
    seen["payout_101_feb_after"] = _rows(url, PAYOUT, ("101", "2026-02-01"))
    return seen


def test_an_accepted_dispute_is_a_traced_adjustment_line(disputes) -> None:
    (line, *_rest) = disputes["dispute_lines"]
    assert line == (
        "101",
        datetime.date(2026, 1, 1),
        "dispute",
        str(disputes["accepted_id"]),
        "adjustment:dispute",
        "adjustment",
        Decimal("57.50"),
        Decimal("1.000000"),
        Decimal("57.50"),
        None,  # paid in its own (open) month
        disputes["accepted_id"],
        "2.5% agreed in Q4",
        "fiona",
        True,
    )
    # 101's January: 248.00 (test_period_close) + 57.50 = 305.50
    assert disputes["payout_101_jan_before"] == [(Decimal("0.00"), Decimal("248.00"))]
    assert disputes["payout_101_jan_after"] == [(Decimal("57.50"), Decimal("305.50"))]


def test_a_rejected_dispute_changes_no_payout_and_shows_its_reason(disputes) -> None:
    assert len(disputes["dispute_lines"]) == 1  # the rejected one made no line
    assert disputes["payouts_104_after"] == disputes["payouts_104_before"]
    assert disputes["status_as_104"] == [
        (disputes["rejected_id"], "rejected", "QD-9 is still open in the CRM", "fiona")
    ]


def test_finance_sees_every_open_dispute_and_a_rep_only_their_reach(disputes) -> None:
    assert disputes["open_for_finance"] == [
        (disputes["accepted_id"], "open"),
        (disputes["rejected_id"], "open"),
    ]
    assert disputes["status_as_102"] == []  # 102 reaches neither 101 nor 104


def test_a_dispute_on_a_closed_month_lands_in_the_first_open_one(disputes) -> None:
    jan, feb = datetime.date(2026, 1, 1), datetime.date(2026, 2, 1)
    assert disputes["dispute_lines_after_close"] == [
        # frozen with January when it closed, and not paid again
        (jan, str(disputes["accepted_id"]), Decimal("57.50"), None, True),
        (feb, str(disputes["late_id"]), Decimal("3.60"), jan, False),
    ]
    (before_adjustment, before_net), (after_adjustment, after_net) = (
        disputes["payout_101_feb_before"][0],
        disputes["payout_101_feb_after"][0],
    )
    assert after_adjustment - before_adjustment == Decimal("3.60")
    assert after_net - before_net == Decimal("3.60")


def _refused(run: Callable[..., list[tuple]], sql: str, params: tuple) -> str:
    with pytest.raises(psycopg2.errors.InsufficientPrivilege) as refused:
        run(sql, params)
    return str(refused.value).splitlines()[0]


def test_a_rep_cannot_dispute_another_reps_line_nor_resolve(
    disputes,
    tiny_warehouse,  # noqa: F811
) -> None:
    url, _ = tiny_warehouse
    bob = as_role(url, "102")
    l012 = line_id(url, "101", "2026-01-01", "L012", "base_rate")
    assert _refused(bob, RAISE, ("101", l012, None, None, "not mine", "bob")) == (
        "role "
        + _rows(url, "select db_role from app_meta.viewers where rep_id = '102'")[0][0]
        + " may dispute only its own lines, not those of rep 101"
    )
    # nor pass another rep's line off as their own
    assert "is not a line of rep 102" in _refused(
        bob, RAISE, ("102", l012, None, None, "mine now", "bob")
    )
    assert "only finance may resolve a dispute" in _refused(
        bob, RESOLVE, (disputes["late_id"], True, Decimal("1.00"), "self-approved", "bob")
    )
    with pytest.raises(psycopg2.errors.InsufficientPrivilege):
        bob(
            "insert into commission_ops.dispute_events (dispute_id, event_type, period_start,"
            " rep_id, reason, actor, actor_role) values (99, 'raised', '2026-01-01', '101', 'x',"
            " 'x', 'x')"
        )


def test_a_manager_cannot_resolve_even_in_their_team(disputes, tiny_warehouse) -> None:  # noqa: F811
    url, _ = tiny_warehouse
    alice = as_role(url, "101")  # manages 102 and 103
    (bob_dispute,) = as_role(url, "102")(
        RAISE, ("102", None, "1007", "2026-03-01", "1007 was won in March", "bob")
    )[0]
    assert "only finance may resolve a dispute" in _refused(
        alice, RESOLVE, (bob_dispute, False, None, "not ours", "alice")
    )
    # she sees it (her reach), still open
    assert alice(
        "select status from commission_ops.dispute_status where dispute_id = %s", (bob_dispute,)
    ) == [("open",)]
