"""Customers: value tiers, who is going quiet (churn risk), and what they buy."""

import altair as alt
import pandas as pd
import streamlit as st

from app.context import context
from app.data.customers import churn_risks, tiers
from app.data.sales import revenue_by_product_line
from app.i18n import fmt_money, fmt_money_compact, fmt_number, fmt_pct, t, value_label
from app.ui import empty_notice, help_text, ratio, to_float

ctx = context()
f = ctx.filters
period = f.period
TIERS = ("high", "medium", "low")

st.title(t("pages.customers"))
summary = tiers(ctx.reader, f.team_id, f.rep_id)
if summary.empty:
    empty_notice()
    st.stop()
by_tier = summary.set_index("value_tier").reindex(TIERS, fill_value=0)

st.subheader(t("customers.tiers"), help=help_text(ctx, "dim_customers.value_tier"))
cards = st.columns(len(TIERS) + 1)
for card, tier in zip(cards, TIERS, strict=False):
    card.metric(
        t(f"tier.{tier}"),
        fmt_number(by_tier.at[tier, "customer_count"]),
        help=help_text(ctx, "dim_customers.trailing_12m_net_revenue_amount"),
        border=True,
    )
    card.caption(fmt_money_compact(by_tier.at[tier, "trailing_12m_net_revenue_amount"]))
cards[-1].metric(
    t("customers.churn_count"),
    fmt_number(summary["churn_risk_count"].iloc[0]),
    help=help_text(ctx, "dim_customers.is_churn_risk"),
    border=True,
)

st.subheader(t("customers.churn"), help=help_text(ctx, "dim_customers.is_churn_risk"))
churn = churn_risks(ctx.reader, f.team_id, f.rep_id)
if churn.empty:
    st.success(t("customers.no_churn"))
else:
    st.dataframe(
        pd.DataFrame(
            {
                t("customers.col.customer"): churn["customer_name"],
                t("customers.col.tier"): [t(f"tier.{v}") for v in churn["value_tier"]],
                t("customers.col.rep"): churn["rep_name"].fillna(churn["rep_id"]),
                t("customers.col.last_order"): churn["last_order_date"],
                t("customers.col.days_quiet"): [
                    fmt_number(v) for v in churn["days_since_last_order"]
                ],
                t("customers.col.recent"): [
                    fmt_money(v) for v in churn["recent_window_net_revenue_amount"]
                ],
                t("customers.col.previous"): [
                    fmt_money(v) for v in churn["previous_window_net_revenue_amount"]
                ],
                t("customers.col.change"): [
                    fmt_pct(None if (r := ratio(a, b)) is None else r - 1)
                    for a, b in zip(
                        churn["recent_window_net_revenue_amount"],
                        churn["previous_window_net_revenue_amount"],
                        strict=True,
                    )
                ],
            }
        ),
        hide_index=True,
        height="content",
        column_config={
            t("customers.col.days_quiet"): st.column_config.TextColumn(
                help=help_text(ctx, "dim_customers.days_since_last_order")
            ),
            t("customers.col.recent"): st.column_config.TextColumn(
                help=help_text(ctx, "dim_customers.recent_window_net_revenue_amount")
            ),
            t("customers.col.previous"): st.column_config.TextColumn(
                help=help_text(ctx, "dim_customers.previous_window_net_revenue_amount")
            ),
        },
    )

st.subheader(t("customers.mix", period=period.label()))
mix = revenue_by_product_line(ctx.reader, f.selection())
if mix.empty:
    empty_notice()
else:
    mix["product_line"] = [value_label("product_line", v) for v in mix["product_line"]]
    total = mix["net_revenue"].sum()
    mix["share"] = [ratio(v, total) for v in mix["net_revenue"]]
    chart = to_float(mix, "net_revenue", "share")
    left, right = st.columns([2, 3])
    left.altair_chart(
        alt.Chart(chart)
        .mark_arc(innerRadius=50)
        .encode(
            theta=alt.Theta("net_revenue:Q"),
            color=alt.Color("product_line:N", title=t("customers.col.product_line")),
            tooltip=[
                alt.Tooltip("product_line:N", title=t("customers.col.product_line")),
                alt.Tooltip("share:Q", format=".1%", title=t("customers.col.share")),
            ],
        ),
        width="stretch",
    )
    right.dataframe(
        pd.DataFrame(
            {
                t("customers.col.product_line"): mix["product_line"],
                t("customers.col.revenue"): [fmt_money(v) for v in mix["net_revenue"]],
                t("customers.col.share"): [fmt_pct(v) for v in mix["share"]],
            }
        ),
        hide_index=True,
        height="content",
    )
