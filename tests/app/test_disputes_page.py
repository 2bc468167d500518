"""The dispute form of a rep and finance's handling of disputes and holds, in the app, on the
session's pipeline warehouse (the tiny company). Every decision is checked in the database it
was written to; the rows are removed afterwards (a rejected dispute and a released hold with
no closed month change no mart, so no other test could see them anyway)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date

import pytest

FEBRUARY = {"lang": "en", "grain": "month", "period": "2026-02"}


@pytest.fixture
def cleanup(query) -> Iterator[dict[str, list[int]]]:
    made: dict[str, list[int]] = {"disputes": [], "holds": []}
    yield made
    query(
        "delete from commission_ops.dispute_events where dispute_id = any(%s);"
        " delete from commission_ops.hold_events where hold_id = any(%s)",
        (made["disputes"], made["holds"]),
    )


def _commissions(sign_in, role: str):
    app = sign_in(role, **FEBRUARY)
    app.switch_page("app_pages/commissions.py").run()
    assert not app.exception, app.exception
    return app


def test_a_rep_disputes_a_line_and_finance_rejects_it(
    sign_in, query, require_marts, cleanup
) -> None:
    require_marts("fct_payouts", "fct_commission_lines")
    bob = _commissions(sign_in, "rep")
    assert bob.selectbox(key="commissions_rep").value == "102"
    # the first line of his February statement is offered first
    line_id = bob.selectbox(key="dispute_subject").value
    assert query(
        "select rep_id, period_start from marts.fct_commission_lines where commission_line_id = %s",
        (line_id,),
    ) == [("102", date(2026, 2, 1))]
    bob.text_area(key="dispute_reason").input("L001 is software: 4%, not 3%")
    bob.button(key="dispute_submit").click().run()
    assert not bob.error, [box.value for box in bob.error]
    ((dispute_id, rep_id, line, status, raised_by),) = query(
        "select dispute_id, rep_id, commission_line_id, status, raised_by"
        " from commission_ops.dispute_status where reason = 'L001 is software: 4%, not 3%'"
    )
    cleanup["disputes"].append(dispute_id)
    assert (rep_id, line, status, raised_by) == ("102", line_id, "open", "bob")
    assert [box.value for box in bob.success if "sent" in box.value] == [
        f"Dispute {dispute_id} sent: finance will accept or reject it, with a reason."
    ]

    # Alice manages Bob and sees his dispute on his statement, but has no form for his lines
    alice = _commissions(sign_in, "manager")
    alice.selectbox(key="commissions_rep").set_value("102").run()
    assert not [area for area in alice.text_area if area.key == "dispute_reason"]

    fiona = _commissions(sign_in, "finance")
    fiona.selectbox(key="resolve_dispute").set_value(dispute_id).run()
    fiona.radio(key="resolve_accept").set_value("Reject").run()
    fiona.text_area(key="resolve_reason").input("L001 sold under the 2025 price list: 3%")
    fiona.button(key="resolve_submit").click().run()
    assert not fiona.error, [box.value for box in fiona.error]
    assert query(
        "select status, resolution_reason, resolved_by, adjustment_amount"
        " from commission_ops.dispute_status where dispute_id = %s",
        (dispute_id,),
    ) == [("rejected", "L001 sold under the 2025 price list: 3%", "fiona", None)]

    # Bob sees the status and finance's reason under his statement
    bob = _commissions(sign_in, "rep")
    (mine,) = [frame.value for frame in bob.dataframe if "Finance's reason" in frame.value.columns]
    assert mine[["No.", "Status", "Finance's reason"]].values.tolist() == [
        [str(dispute_id), "rejected", "L001 sold under the 2025 price list: 3%"]
    ]


def test_finance_holds_and_releases_a_reps_commission(
    sign_in, query, require_marts, cleanup
) -> None:
    require_marts("fct_payouts", "fct_commission_lines")
    fiona = _commissions(sign_in, "finance")
    fiona.selectbox(key="hold_rep").set_value("102").run()
    fiona.text_input(key="hold_deal").input("1001")
    fiona.text_input(key="hold_reason").input("until C001 pays")
    fiona.button(key="hold_submit").click().run()
    assert not fiona.error, [box.value for box in fiona.error]
    ((hold_id, rep_id, deal_id, held_by, status),) = query(
        "select hold_id, rep_id, deal_id, held_by, status from commission_ops.hold_status"
        " where reason = 'until C001 pays'"
    )
    cleanup["holds"].append(hold_id)
    assert (rep_id, deal_id, held_by, status) == ("102", "1001", "fiona", "held")

    fiona = _commissions(sign_in, "finance")
    fiona.selectbox(key="release_hold").set_value(hold_id).run()
    fiona.text_input(key="release_reason").input("C001 paid on 3 March")
    fiona.button(key="release_submit").click().run()
    assert not fiona.error, [box.value for box in fiona.error]
    ((status, reason, released_by),) = query(
        "select status, release_reason, released_by from commission_ops.hold_status"
        " where hold_id = %s",
        (hold_id,),
    )
    assert (status, reason, released_by) == ("released", "C001 paid on 3 March", "fiona")


def test_a_rep_has_no_finance_section(sign_in, require_marts) -> None:
    require_marts("fct_payouts", "fct_commission_lines")
    bob = _commissions(sign_in, "rep")
    assert not [box for box in bob.selectbox if box.key in ("resolve_dispute", "hold_rep")]
    assert not [button for button in bob.button if button.key == "hold_submit"]
