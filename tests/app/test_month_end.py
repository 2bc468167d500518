"""The month-end page on the tiny company's marts, as finance, a manager and a rep use it.

Review, approve and request the close through the page itself; what the buttons write is read
back from `commission_ops` in the database. (The database's own refusals, whatever the page
offers, and the close job run for a request: tests/incentives/test_approvals.py.)
"""

from __future__ import annotations

from decimal import Decimal

import pytest
from streamlit.testing.v1 import AppTest

from app.i18n import fmt_money

PAGE = "app_pages/month_end.py"
ENGLISH = {"lang": "en"}
CLEAR = (
    "delete from commission_ops.close_request_events;"
    " delete from commission_ops.close_requests; delete from commission_ops.approvals"
)


def open_page(sign_in, role: str) -> AppTest:
    app = sign_in(role, **ENGLISH)
    app.switch_page(PAGE).run()
    assert not app.exception, app.exception
    return app


@pytest.fixture
def clean_month_end(query, require_marts):
    """No approval or close request left by an earlier test (they are append-only for the app,
    not for the test's superuser)."""
    require_marts("fct_payouts", "fct_commission_lines", "dim_teams")
    query(CLEAR)
    yield
    query(CLEAR)


def test_a_rep_has_no_month_end(sign_in, clean_month_end) -> None:
    app = sign_in("rep", **ENGLISH)
    with pytest.raises(ValueError, match="Could not find a navigation page"):
        app.switch_page(PAGE)  # not among the rep's pages


def _keys(app: AppTest, prefix: str) -> list[str]:
    return [button.key for button in app.button if (button.key or "").startswith(prefix)]


def test_review_approve_and_request_the_close(sign_in, query, clean_month_end) -> None:
    # The month the page opens on is the oldest open one, and its net total is the marts' own.
    (oldest,) = query("select min(period_start) from marts.fct_payouts where status = 'open'")[0]
    net = dict(
        query(
            "select amount_currency, sum(amount) from marts.fct_commission_lines"
            " where period_start = %s group by 1",
            (oldest,),
        )
    )
    finance = open_page(sign_in, "finance")
    assert finance.selectbox(key="month_end_period").value == oldest
    assert {card.label: card.value for card in finance.metric} == {
        f"Net payout ({currency})": fmt_money(amount, currency) for currency, amount in net.items()
    }
    components = finance.dataframe[0].value
    assert components["Net payout"].tolist() == list(net.values())
    assert (
        sum(components["Lines"])
        == query(
            "select count(*) from marts.fct_commission_lines where period_start = %s", (oldest,)
        )[0][0]
    )
    teams = finance.dataframe[1].value
    assert sum(teams["Net payout"], Decimal("0")) == sum(net.values(), Decimal("0"))
    assert finance.button(key="month_end_close").disabled  # nothing approved yet

    # Alice approves each team she manages that has lines this month, from the page.
    manager = open_page(sign_in, "manager")
    assert "month_end_close" not in _keys(manager, "month_end_")
    assert "month_end_approve_company" not in _keys(manager, "month_end_")
    assert {"month_end_approve_11", "month_end_approve_12"} <= set(_keys(manager, "month_end_"))
    needed = query(
        "select scope_id from commission_ops.close_checklist(%s) where scope_type = 'team'",
        (oldest,),
    )
    for (team,) in needed:
        if team in ("11", "12"):
            manager.button(key=f"month_end_approve_{team}").click().run()
            assert [box.value for box in manager.success][0].startswith("Approved (approval")
    # any other team's manager (Dan, team 21) approves in their own session
    for (team,) in needed:
        if team not in ("11", "12"):
            query(
                "select set_config('role', db_role, true), commission_ops.approve(%s, 'team', %s,"
                " 'dan', null) from app_meta.viewers where rep_id = '104'",
                (oldest, team),
            )

    finance = open_page(sign_in, "finance")
    finance.button(key="month_end_approve_company").click().run()
    assert [box.value for box in finance.success][0].startswith("Approved (approval")
    (checklist,) = [frame.value for frame in finance.dataframe if "Scope" in frame.value.columns]
    assert set(checklist["Status"]) == {"valid"}
    assert not finance.button(key="month_end_close").disabled
    finance.button(key="month_end_close").click().run()
    assert [box.value for box in finance.success][0].startswith("Close requested (request")
    assert query(
        "select period_start, requested_by, status from commission_ops.close_request_status"
    ) == [(oldest, "fiona", "pending")]
    recorded = query(
        "select scope_type, approved_by, line_count from commission_ops.approvals"
        " where period_start = %s and scope_type = 'company'",
        (oldest,),
    )
    assert recorded == [("company", "fiona", sum(components["Lines"]))]
