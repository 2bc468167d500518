"""Month-end (月结): review a month's payouts, approve them, and close the month.

Finance reviews the company, approves the month and presses "Close month"; a manager reviews and
approves their team. Every approval and close request is checked again by the database
(`commission_ops`), so the buttons here only offer what the viewer's role may do.
"""

from collections.abc import Callable

import pandas as pd
import streamlit as st

from app.context import context
from app.data import month_end as data
from app.disputes_ui import finance_disputes
from app.i18n import fmt_money, fmt_number, t, value_label
from app.period import add_months
from app.ui import empty_notice

ctx = context()
viewer = ctx.viewer

st.title(t("pages.month_end"))
message = st.session_state.pop("month_end_message", None)
if message:
    (st.error if message[0] == "error" else st.success)(message[1])
if viewer.role == "rep":
    st.info(t("month_end.not_for_reps"))
    st.stop()

months = data.months(ctx.reader)
default = data.default_month(months)
if default is None:
    empty_notice()
    st.stop()
choices = list(months["period_start"])
closed = dict(zip(months["period_start"], months["is_closed"], strict=True))
period = st.selectbox(
    t("month_end.month"),
    choices,
    index=choices.index(default),
    format_func=lambda month: (
        f"{month:%Y-%m}" + (f" ({t('commissions.status.closed')})" if closed[month] else "")
    ),
    key="month_end_period",
)
previous = add_months(period, -1)
st.caption(t("month_end.caption", period=f"{period:%Y-%m}", previous=f"{previous:%Y-%m}"))

figures = data.lines_by_team(ctx.reader, period, previous)
MONEY = st.column_config.NumberColumn(format="%.2f")
COMPONENT_LABELS = {
    "commission": t("commissions.col.gross"),
    "bonus": t("commissions.col.bonus"),
    "clawback": t("commissions.col.clawback"),
    "draw": t("commissions.col.draw"),
    "recovery": t("commissions.col.recovery"),
    "adjustment": t("commissions.col.adjustment"),
    "net": t("commissions.col.net"),
    "previous_net": t("month_end.col.previous_net"),
    "change": t("month_end.col.change"),
}


def money_table(frame: pd.DataFrame, labels: dict[str, str], key: str) -> None:
    """A table whose money columns stay numbers (they sort and sum as numbers), labelled."""
    shown = frame.rename(columns=labels)
    money = [
        label
        for column, label in labels.items()
        if column in COMPONENT_LABELS or column in ("amount", "previous")
    ]
    st.dataframe(
        shown,
        hide_index=True,
        column_config={label: MONEY for label in money},
        key=key,
    )


net = data.net_by_currency(figures, period)
if not net:
    empty_notice()
    st.stop()
for column, (currency, amount) in zip(st.columns(len(net)), net.items(), strict=True):
    column.metric(t("month_end.net_total", currency=currency), fmt_money(amount, currency))

st.subheader(t("month_end.by_component"))
money_table(
    data.by_component(figures, period),
    {
        "currency": t("month_end.col.currency"),
        **COMPONENT_LABELS,
        "lines": t("month_end.col.lines"),
    },
    "month_end_components",
)

st.subheader(t("month_end.by_team"))
teams = data.by_team(figures, period)
teams["team"] = [name or t("month_end.no_team") for name in teams["team"]]
money_table(
    teams.drop(columns=["team_id"]),
    {
        "team": t("month_end.col.team"),
        "currency": t("month_end.col.currency"),
        **COMPONENT_LABELS,
        "lines": t("month_end.col.lines"),
    },
    "month_end_teams",
)

st.subheader(t("month_end.movers", previous=f"{previous:%Y-%m}"))
moved = data.movers(figures, period)
if moved.empty:
    st.caption(t("month_end.no_movers"))
else:
    moved["rule"] = [value_label("rule", rule) for rule in moved["rule"]]
    money_table(
        moved.drop(columns=["rep_id"]),
        {
            "rep_name": t("month_end.col.rep"),
            "payout_component": t("month_end.col.component"),
            "rule": t("month_end.col.rule"),
            "source_type": t("month_end.col.source"),
            "amount_currency": t("month_end.col.currency"),
            "amount": t("month_end.col.amount"),
            "previous": t("month_end.col.previous"),
            "change": t("month_end.col.change"),
        },
        "month_end_movers",
    )

st.subheader(t("month_end.approvals"))
checklist = data.checklist(ctx.reader, period)
if checklist.empty:
    st.caption(t("month_end.nothing_required"))
else:
    st.dataframe(
        pd.DataFrame(
            {
                t("month_end.col.scope"): [
                    t("month_end.company") if kind == "company" else scope
                    for kind, scope in zip(
                        checklist["scope_type"], checklist["scope_id"], strict=True
                    )
                ],
                t("month_end.col.status"): [
                    t(
                        "month_end.status_valid"
                        if s == "valid"
                        else "month_end.status_void"
                        if s == "void"
                        else "month_end.status_missing"
                    )
                    for s in checklist["status"]
                ],
                t("month_end.col.approved_by"): checklist["approved_by"].fillna(""),
                t("month_end.col.approved_at"): checklist["approved_at"],
            }
        ),
        hide_index=True,
        key="month_end_checklist",
    )


def report(action: Callable[[], int], success: Callable[[str], str]) -> None:
    """Run a write the database may refuse; its outcome shows at the top of the next run."""
    try:
        done = action()
    except data.MonthEndRefused as refused:
        st.session_state["month_end_message"] = ("error", str(refused))
    else:
        st.session_state["month_end_message"] = ("success", success(fmt_number(done)))


def approve(scope_type: str, scope_id: str) -> None:
    digest = data.lines_digest(ctx.reader, period, scope_type, scope_id)
    report(
        lambda: data.approve(
            ctx.reader.db_role, period, scope_type, scope_id, viewer.login, digest
        ),
        lambda approval: t("month_end.approved", approval=approval),
    )


if not closed[period]:
    if viewer.is_finance:
        st.button(
            t("month_end.approve_month", period=f"{period:%Y-%m}"),
            key="month_end_approve_company",
            on_click=approve,
            args=("company", "company"),
        )
    else:
        for team_id, team_name in data.approvable_teams(ctx.reader).itertuples(index=False):
            st.button(
                t("month_end.approve_team", team=team_name, period=f"{period:%Y-%m}"),
                key=f"month_end_approve_{team_id}",
                on_click=approve,
                args=("team", team_id),
            )

with st.expander(t("month_end.history")):
    st.dataframe(data.approvals(ctx.reader, period), hide_index=True)

if viewer.is_finance:
    st.subheader(t("month_end.close"))
    disputes = data.open_disputes(ctx.reader, period)
    if disputes.empty:
        st.caption(t("month_end.no_open_disputes"))
    else:
        st.warning(t("month_end.open_disputes", count=fmt_number(len(disputes))))
    # Settle the disputes (and place or release holds) here, before closing.
    names = dict(zip(figures["rep_id"], figures["rep_name"], strict=False))
    finance_disputes(ctx, names)

    def request_close() -> None:
        report(
            lambda: data.request_close(ctx.reader.db_role, period, viewer.login),
            lambda request: t("month_end.close_requested", request=request),
        )

    ready = bool((checklist["status"] == "valid").all())  # nothing required: ready
    st.button(
        t("month_end.close_month", period=f"{period:%Y-%m}"),
        key="month_end_close",
        type="primary",
        disabled=closed[period] or not ready,
        on_click=request_close,
    )
    requests = data.close_requests(ctx.reader, period)
    if not requests.empty:
        st.dataframe(requests, hide_index=True, key="month_end_requests")
