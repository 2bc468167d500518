"""Holds on the tiny company: payouts before, during and after a hold, including a release after
the held month closed. In a warehouse of its own (`tiny_warehouse` of test_period_close).

Hand-worked figures (tests/fixtures/README.md, plans in tests/incentives/plans/):
- 102's February: L013 174.00 + L001 576.00 + L002 54.00 (deal 1001's two lines, 102's 60%)
  + a 1,196.00 draw = 2,000.00. Holding deal 1001 withholds 576.00 + 54.00 = 630.00: 1,370.00.
- 101's January (managers' plan, no draw): 230.00 + 18.00 + 15.00 - 15.00 = 248.00. Holding 101
  withholds all of it: 0.00, in every open month.
"""

from __future__ import annotations

import datetime
from decimal import Decimal

import psycopg2.errors
import pytest

from tests.incentives.test_disputes import REBUILD, as_role
from tests.incentives.test_period_close import (
    _build_incentive_marts,
    _rows,
    monkeypatch_module,  # noqa: F401 (a fixture tiny_warehouse uses)
    tiny_warehouse,  # noqa: F401 (the module's own warehouse)
)

PAYOUT = (
    "select held_amount, released_amount, net_payout_amount from marts.fct_payouts"
    " where rep_id = %s and period_start = %s"
)
JAN, FEB = "2026-01-01", "2026-02-01"


def _watched_payouts(url: str) -> dict[tuple[str, str], list[tuple]]:
    """102's February and 101's January and February: (held, released, net) of each."""
    return {key: _rows(url, PAYOUT, key) for key in (("102", FEB), ("101", JAN), ("101", FEB))}


@pytest.fixture(scope="module")
def holds(tiny_warehouse: tuple[str, str]) -> dict[str, object]:  # noqa: F811
    """On the built marts, hold 102's deal 1001 and all of 101's commission; close January
    while held; release both (101's after the close)."""
    from orchestration.incentives import close_period

    url, _ = tiny_warehouse
    seen: dict[str, object] = {}
    finance = as_role(url, None)
    seen["before"] = _watched_payouts(url)
    hold = "select commission_ops.place_hold(%s, %s, %s, %s)"
    (seen["deal_hold"],) = finance(hold, ("102", "1001", "until C001 pays", "fiona"))[0]
    (seen["rep_hold"],) = finance(hold, ("101", None, "contract review", "fiona"))[0]
    _build_incentive_marts(url, REBUILD)
    seen["during"] = _watched_payouts(url)
    seen["held_lines_102"] = _rows(
        url,
        "select source_id, rule, amount, hold_id from marts.fct_commission_lines"
        " where rep_id = '102' and period_start = %s and payout_component = 'held'"
        " order by source_id",
        (FEB,),
    )
    assert close_period("2026-01") == 0
    seen["closed_jan_101"] = _rows(url, PAYOUT, ("101", JAN))
    release = "select commission_ops.release_hold(%s, %s, %s)"
    seen["released_into"] = finance(release, (seen["rep_hold"], "review done", "fiona"))
    finance(release, (seen["deal_hold"], "C001 paid", "fiona"))
    _build_incentive_marts(url, REBUILD)
    seen["after"] = _watched_payouts(url)
    seen["released_lines"] = _rows(
        url,
        "select rep_id, period_start, source_id, rule, amount, adjusts_period_start, hold_id"
        " from marts.fct_commission_lines where payout_component = 'released'"
        " order by source_id, rule",
    )
    seen["status"] = finance(
        "select hold_id, rep_id, deal_id, status, release_period_start"
        " from commission_ops.hold_status order by hold_id"
    )
    return seen


def test_payouts_before_a_hold(holds) -> None:
    assert holds["before"][("102", FEB)] == [(Decimal("0.00"), Decimal("0.00"), Decimal("2000.00"))]
    assert holds["before"][("101", JAN)] == [(Decimal("0.00"), Decimal("0.00"), Decimal("248.00"))]


def test_held_lines_leave_the_payout_and_show_as_held(holds) -> None:
    # 2,000.00 - 576.00 - 54.00: the draw is computed as if nothing were held
    assert holds["during"][("102", FEB)] == [
        (Decimal("-630.00"), Decimal("0.00"), Decimal("1370.00"))
    ]
    assert holds["held_lines_102"] == [
        ("L001", "held:base_rate", Decimal("-576.00"), holds["deal_hold"]),
        ("L002", "held:base_rate", Decimal("-54.00"), holds["deal_hold"]),
    ]
    assert holds["during"][("101", JAN)] == [(Decimal("-248.00"), Decimal("0.00"), Decimal("0.00"))]
    ((feb_held, _, feb_net),) = holds["during"][("101", FEB)]
    ((_, _, feb_before),) = holds["before"][("101", FEB)]
    assert (feb_held, feb_net) == (-feb_before, Decimal("0.00"))


def test_closing_freezes_the_held_status(holds) -> None:
    assert holds["closed_jan_101"] == [(Decimal("-248.00"), Decimal("0.00"), Decimal("0.00"))]
    # still frozen as held after the release
    assert holds["after"][("101", JAN)] == holds["closed_jan_101"]


def test_a_release_pays_in_the_open_month(holds) -> None:
    # 102's February was still open: its lines simply pay again, no released line
    assert holds["after"][("102", FEB)] == holds["before"][("102", FEB)]
    # 101's January closed while held: 248.00 paid back in February, line by line
    ((_, _, feb_before),) = holds["before"][("101", FEB)]
    assert holds["after"][("101", FEB)] == [
        (Decimal("0.00"), Decimal("248.00"), feb_before + Decimal("248.00"))
    ]
    jan, feb = datetime.date(2026, 1, 1), datetime.date(2026, 2, 1)
    hold = holds["rep_hold"]
    assert holds["released_lines"] == [
        ("101", feb, "L003", "released:manager_override", Decimal("18.00"), jan, hold),
        ("101", feb, "L004", "released:manager_override", Decimal("15.00"), jan, hold),
        ("101", feb, "L012", "released:base_rate", Decimal("230.00"), jan, hold),
        (
            "101",
            feb,
            "R002/L004",
            "released:clawback:manager_override",
            Decimal("-15.00"),
            jan,
            hold,
        ),
    ]
    assert holds["released_into"] == [(feb,)]
    assert holds["status"] == [
        (holds["deal_hold"], "102", "1001", "released", feb),
        (holds["rep_hold"], "101", None, "released", feb),
    ]


def test_only_finance_holds_and_releases(holds, tiny_warehouse) -> None:  # noqa: F811
    url, _ = tiny_warehouse
    for rep_id in ("101", "102"):  # a manager, a rep
        with pytest.raises(psycopg2.errors.InsufficientPrivilege, match="only finance may hold"):
            as_role(url, rep_id)(
                "select commission_ops.place_hold('102', null, 'mine', null)",
            )
        with pytest.raises(psycopg2.errors.InsufficientPrivilege, match="only finance may release"):
            as_role(url, rep_id)(
                "select commission_ops.release_hold(%s, 'mine', null)", (holds["rep_hold"],)
            )
