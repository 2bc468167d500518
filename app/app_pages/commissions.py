"""Commissions: what each rep is owed per period, whether it is final, and every line behind it."""

from dataclasses import replace
from functools import partial

import pandas as pd
import streamlit as st

from app.context import context
from app.data.commissions import lines, lines_csv, payouts, points
from app.data.health import PAYOUT_RECONCILIATION_TEST, latest_test_result
from app.disputes_ui import finance_disputes, rep_disputes
from app.i18n import fmt_money, fmt_number, t, value_label
from app.tables import money_column, with_subtotals
from app.ui import empty_notice, help_text

ctx = context()
f = ctx.filters
period = f.period

st.title(t("pages.commissions"))
st.caption(t("commissions.caption", period=period.label()))

paid = payouts(ctx.reader, f.selection())
if paid.empty:
    empty_notice()
    st.stop()

# Whether payouts equal their lines is the dbt test's to say (one home per rule): its last result.
reconciliation = latest_test_result(ctx.reader, PAYOUT_RECONCILIATION_TEST)
if not reconciliation.empty and reconciliation.iloc[0]["status"] == "pass":
    st.success(
        t("commissions.reconciled", payouts=fmt_number(len(paid))), icon=":material/check_circle:"
    )
elif not reconciliation.empty:
    st.error(
        t(
            "commissions.not_reconciled",
            count=fmt_number(reconciliation.iloc[0]["failures"] or 0),
            at=f"{reconciliation.iloc[0]['finished_at']:%Y-%m-%d %H:%M} UTC",
        ),
        icon=":material/error:",
    )

st.subheader(t("commissions.payouts"))
# Amounts as numbers (sortable, to the cent), the net payout next to the name so it stays on a
# phone's screen, a subtotal per team and a total per month and payout currency.
PAYOUT_AMOUNTS = {
    "net_payout_amount": "commissions.col.net",
    "gross_commission_amount": "commissions.col.gross",
    "bonus_amount": "commissions.col.bonus",
    "clawback_amount": "commissions.col.clawback",
    "draw_amount": "commissions.col.draw",
    "recovery_amount": "commissions.col.recovery",
    "adjustment_amount": "commissions.col.adjustment",
    "points": "commissions.col.points",
}
payout_table = with_subtotals(
    paid.assign(
        period=[f"{d:%Y-%m}" for d in paid["period_start"]],
        rep=paid["full_name"].fillna(paid["rep_id"]),
        team=paid["team_name"].fillna(t("overview.no_team")),
        status=[t(f"commissions.status.{s}") for s in paid["status"]],
    )[["rep", "period", "payout_currency", "team", *PAYOUT_AMOUNTS, "status"]],
    groups=["period", "payout_currency", "team"],
    amounts=list(PAYOUT_AMOUNTS),
    label_column="rep",
    labels=(t("commissions.subtotal"), t("commissions.total")),
)
st.dataframe(
    payout_table.rename(
        columns={
            "rep": t("commissions.col.rep"),
            "period": t("commissions.col.period"),
            "payout_currency": t("commissions.col.currency"),
            "team": t("commissions.col.team"),
            "status": t("commissions.col.status"),
        }
        | {column: t(label) for column, label in PAYOUT_AMOUNTS.items()}
    ),
    hide_index=True,
    height="content",
    column_order=[
        t(label)
        for label in (
            "commissions.col.rep",
            "commissions.col.net",
            "commissions.col.team",
            "commissions.col.period",
            "commissions.col.currency",
            *list(PAYOUT_AMOUNTS.values())[1:],
            "commissions.col.status",
        )
    ],
    column_config={
        t("commissions.col.rep"): st.column_config.TextColumn(pinned=True),
        t("commissions.col.status"): st.column_config.TextColumn(
            help=help_text(ctx, "fct_payouts.status")
        ),
        t("commissions.col.points"): st.column_config.NumberColumn(
            help=help_text(ctx, "fct_payouts.points"), format="%,.0f"
        ),
    }
    | {
        t(label): money_column(help_text(ctx, f"fct_payouts.{column}"))
        for column, label in PAYOUT_AMOUNTS.items()
        if column != "points"
    },
)

exports = st.columns(2)
exports[0].download_button(
    t("commissions.export_payouts"),
    paid.to_csv(index=False).encode("utf-8-sig"),
    file_name=f"payouts_{period.label().replace(' ', '_')}.csv",
    mime="text/csv",
)
exports[1].download_button(
    t("commissions.export_lines"),
    partial(lines_csv, ctx.reader, f.selection()),
    file_name=f"commission_lines_{period.label().replace(' ', '_')}.csv",
    mime="text/csv",
)

st.subheader(t("commissions.statement"))
names = dict(zip(paid["rep_id"], paid["full_name"].fillna(paid["rep_id"]), strict=False))
rep = st.selectbox(
    t("commissions.statement_rep"),
    list(names),
    index=list(names).index(f.rep_id) if f.rep_id in names else 0,
    format_func=names.get,
    key="commissions_rep",
)
statement = paid[paid["rep_id"] == rep]
detail = lines(ctx.reader, replace(f.selection(), rep_id=rep))
for payout in statement.itertuples():
    reconciles = payout.net_payout_amount == payout.lines_amount
    with st.expander(
        t(
            "commissions.statement_period",
            period=f"{payout.period_start:%Y-%m}",
            status=t(f"commissions.status.{payout.status}"),
            net=fmt_money(payout.net_payout_amount, payout.payout_currency),
            check="✅" if reconciles else "🚫",
        ),
        expanded=len(statement) == 1,
    ):
        rows = detail[(detail["rep_id"] == rep) & (detail["period_start"] == payout.period_start)]
        st.dataframe(
            pd.DataFrame(
                {
                    t("commissions.col.component"): rows["payout_component"],
                    t("commissions.col.rule"): [value_label("rule", v) for v in rows["rule"]],
                    t("commissions.col.plan"): [
                        f"{p} v{v}"
                        for p, v in zip(rows["plan_id"], rows["plan_version"], strict=True)
                    ],
                    t("commissions.col.source"): [
                        f"{kind}: {ident}"
                        for kind, ident in zip(rows["source_type"], rows["source_id"], strict=True)
                    ],
                    t("commissions.col.order"): rows["source_order_id"],
                    t("commissions.col.source_date"): rows["source_date"],
                    t("commissions.col.source_amount"): [
                        fmt_money(v, c)
                        for v, c in zip(
                            rows["source_net_amount"], rows["source_currency"], strict=True
                        )
                    ],
                    t("commissions.col.basis"): [fmt_money(v) for v in rows["basis_amount"]],
                    t("commissions.col.rate"): [fmt_number(v, 4) for v in rows["rate"]],
                    t("commissions.col.amount"): [
                        fmt_money(v, c)
                        for v, c in zip(rows["amount"], rows["amount_currency"], strict=True)
                    ],
                }
            ),
            hide_index=True,
            height="content",
            column_config={
                t("commissions.col.basis"): st.column_config.TextColumn(
                    help=help_text(ctx, "fct_commission_lines.basis_amount")
                ),
                t("commissions.col.rate"): st.column_config.TextColumn(
                    help=help_text(ctx, "fct_commission_lines.rate")
                ),
                t("commissions.col.amount"): st.column_config.TextColumn(
                    help=help_text(ctx, "fct_commission_lines.amount")
                ),
            },
        )
        st.caption(
            t(
                "commissions.statement_total",
                lines=fmt_number(len(rows)),
                total=fmt_money(payout.lines_amount, payout.payout_currency),
            )
        )

# Disputes of the statement's rep (their form when it is their own); finance's handling.
rep_disputes(ctx, rep, names[rep], detail[detail["rep_id"] == rep])
if ctx.viewer.is_finance:
    finance_disputes(ctx, names)

st.subheader(t("commissions.points"), help=help_text(ctx, "fct_incentive_points.points"))
earned = points(ctx.reader, f.selection())
if earned.empty:
    empty_notice()
else:
    st.dataframe(
        pd.DataFrame(
            {
                t("commissions.col.period"): [f"{d:%Y-%m}" for d in earned["period_start"]],
                t("commissions.col.rep"): earned["full_name"].fillna(earned["rep_id"]),
                t("commissions.col.reason"): [
                    value_label("incentive", v) for v in earned["reason"]
                ],
                t("commissions.col.metric_value"): [fmt_number(v) for v in earned["metric_value"]],
                t("commissions.col.threshold"): [fmt_number(v) for v in earned["threshold"]],
                t("commissions.col.points"): [fmt_number(v) for v in earned["points"]],
            }
        ),
        hide_index=True,
        height="content",
    )
