"""Disputes and holds on screen: a rep's form and the status of their disputes (commissions page,
under their statement), and finance's handling of open disputes and of holds (a section the
month-end page renders; the commissions page renders it for finance as well).

What may be done is decided by the database (app/data/disputes.py); these sections only offer
each viewer what their role may do and show a refusal's reason when it comes back.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

import pandas as pd
import streamlit as st

from app.context import PageContext
from app.data import disputes as store
from app.i18n import fmt_money, t, value_label


def _status_labels() -> dict[str, str]:
    return {
        "open": t("disputes.status_open"),
        "accepted": t("disputes.status_accepted"),
        "rejected": t("disputes.status_rejected"),
        "held": t("disputes.status_held"),
        "released": t("disputes.status_released"),
    }


def _when(value: object) -> str:
    return "" if value is None or pd.isna(value) else f"{value:%Y-%m-%d %H:%M}"


def _disputes_table(rows: pd.DataFrame, names: dict[str, str]) -> None:
    labels = _status_labels()
    st.dataframe(
        pd.DataFrame(
            {
                t("disputes.col.id"): rows["dispute_id"].astype(str),
                t("disputes.col.period"): [f"{d:%Y-%m}" for d in rows["period_start"]],
                t("disputes.col.rep"): [names.get(r, r) for r in rows["rep_id"]],
                t("disputes.col.subject"): [
                    t("disputes.missing_deal", deal=deal) if deal else t("disputes.a_line")
                    for deal in rows["deal_id"]
                ],
                t("disputes.col.reason"): rows["reason"],
                t("disputes.col.raised"): [
                    f"{who} · {_when(at)}"
                    for who, at in zip(rows["raised_by"], rows["raised_at"], strict=True)
                ],
                t("disputes.col.status"): [labels[s] for s in rows["status"]],
                t("disputes.col.resolution"): rows["resolution_reason"].fillna(""),
                t("disputes.col.amount"): [fmt_money(v) for v in rows["adjustment_amount"]],
            }
        ),
        hide_index=True,
    )


def _line_label(line: pd.Series) -> str:
    return (
        f"{line['period_start']:%Y-%m} · {value_label('rule', line['rule'])} · "
        f"{line['source_type']}: {line['source_id']} · {fmt_money(line['amount'])}"
    )


def rep_disputes(ctx: PageContext, rep_id: str, name: str, lines: pd.DataFrame) -> None:
    """What is held of the shown statement, the rep's disputes, and, for the rep themselves, a
    form to dispute one of these lines or name a deal they believe is missing."""
    withheld = lines[lines["payout_component"] == "held"]
    if not withheld.empty:
        st.info(t("disputes.held_note", amount=fmt_money(-sum(withheld["amount"]))))
    st.subheader(t("disputes.title"))
    mine = store.disputes(ctx.reader, rep_id=rep_id)
    if mine.empty:
        st.caption(t("disputes.none"))
    else:
        _disputes_table(mine, {rep_id: name})
    if ctx.viewer.rep_id != rep_id:
        return
    with st.expander(t("disputes.raise"), expanded=False):
        missing = t("disputes.missing_option")
        choices = {line["commission_line_id"]: _line_label(line) for _, line in lines.iterrows()}
        subject = st.selectbox(
            t("disputes.subject"),
            [*choices, missing],
            format_func=lambda key: choices.get(key, missing),
            key="dispute_subject",
        )
        deal_id = period = None
        if subject == missing:
            deal_id = st.text_input(t("disputes.deal_id"), key="dispute_deal").strip() or None
            months = sorted({d for d in lines["period_start"]}, reverse=True)
            period = st.selectbox(
                t("disputes.col.period"),
                months,
                format_func=lambda d: f"{d:%Y-%m}",
                key="dispute_period",
            )
        reason = st.text_area(t("disputes.reason"), key="dispute_reason")
        if st.button(t("disputes.submit"), key="dispute_submit"):
            try:
                dispute_id = store.raise_dispute(
                    ctx.reader.db_role,
                    rep_id,
                    reason,
                    raised_by=ctx.viewer.login,
                    commission_line_id=None if subject == missing else subject,
                    deal_id=deal_id,
                    period_start=period,
                )
            except store.DecisionRefused as refused:
                st.error(str(refused))
            else:
                st.success(t("disputes.raised", id=dispute_id))


def _amount(text: str) -> Decimal | None:
    try:
        return Decimal(text.replace(",", "").strip())
    except InvalidOperation:
        return None


def finance_disputes(ctx: PageContext, names: dict[str, str]) -> None:
    """Finance's month-end handling: the open disputes to accept (with the amount owed, paid as
    an adjustment line in the next build) or reject, and the holds to place or release."""
    st.subheader(t("disputes.finance_title"))
    waiting = store.disputes(ctx.reader, status="open")
    if waiting.empty:
        st.caption(t("disputes.none_open"))
    else:
        _disputes_table(waiting, names)
        dispute_id = st.selectbox(
            t("disputes.col.id"), list(waiting["dispute_id"]), key="resolve_dispute"
        )
        # the labels are the options: a format_func would run later, outside this language
        decisions = [t("disputes.accept"), t("disputes.reject")]
        accept = (
            st.radio(t("disputes.decision"), decisions, horizontal=True, key="resolve_accept")
            == decisions[0]
        )
        amount = st.text_input(t("disputes.col.amount"), key="resolve_amount") if accept else ""
        reason = st.text_area(t("disputes.resolution_reason"), key="resolve_reason")
        if st.button(t("disputes.resolve"), key="resolve_submit"):
            owed = _amount(amount) if accept else None
            if accept and owed is None:
                st.error(t("disputes.bad_amount", amount=amount))
            else:
                try:
                    store.resolve_dispute(
                        ctx.reader.db_role, int(dispute_id), accept, reason, ctx.viewer.login, owed
                    )
                except store.DecisionRefused as refused:
                    st.error(str(refused))
                else:
                    st.success(t("disputes.resolved", id=dispute_id))
    finance_holds(ctx, names)


def finance_holds(ctx: PageContext, names: dict[str, str]) -> None:
    """Holds: the list, a release for an active one, and a new hold on a rep or one deal."""
    st.subheader(t("disputes.holds_title"))
    held = store.holds(ctx.reader)
    labels = _status_labels()
    if not held.empty:
        st.dataframe(
            pd.DataFrame(
                {
                    t("disputes.col.id"): held["hold_id"].astype(str),
                    t("disputes.col.rep"): [names.get(r, r) for r in held["rep_id"]],
                    t("disputes.deal_id"): held["deal_id"].fillna(""),
                    t("disputes.col.reason"): held["reason"],
                    t("disputes.col.raised"): [
                        f"{who} · {_when(at)}"
                        for who, at in zip(held["held_by"], held["held_at"], strict=True)
                    ],
                    t("disputes.col.status"): [labels[s] for s in held["status"]],
                    t("disputes.col.release_period"): [
                        "" if pd.isna(d) else f"{d:%Y-%m}" for d in held["release_period_start"]
                    ],
                }
            ),
            hide_index=True,
        )
    active = held[held["status"] == "held"]
    if not active.empty:
        hold_id = st.selectbox(
            t("disputes.release_which"), list(active["hold_id"]), key="release_hold"
        )
        reason = st.text_input(t("disputes.resolution_reason"), key="release_reason")
        if st.button(t("disputes.release"), key="release_submit"):
            try:
                month = store.release_hold(
                    ctx.reader.db_role, int(hold_id), reason, ctx.viewer.login
                )
            except store.DecisionRefused as refused:
                st.error(str(refused))
            else:
                st.success(t("disputes.released", id=hold_id, period=f"{month:%Y-%m}"))
    rep_id = st.selectbox(t("disputes.col.rep"), list(names), format_func=names.get, key="hold_rep")
    deal_id = st.text_input(t("disputes.hold_deal"), key="hold_deal").strip() or None
    reason = st.text_input(t("disputes.hold_reason"), key="hold_reason")
    if st.button(t("disputes.hold"), key="hold_submit"):
        try:
            new_id = store.place_hold(ctx.reader.db_role, rep_id, reason, ctx.viewer.login, deal_id)
        except store.DecisionRefused as refused:
            st.error(str(refused))
        else:
            st.success(t("disputes.held", id=new_id))
