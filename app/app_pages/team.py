"""Team and reps: who sells, who does the work behind it (visits, calls), and the trend."""

from dataclasses import replace

import altair as alt
import pandas as pd
import streamlit as st

from app.context import context
from app.data.sales import deal_kpis, monthly_revenue, rep_leaderboard
from app.i18n import fmt_money, fmt_number, fmt_pct, t
from app.period import add_months
from app.ui import empty_notice, help_text, to_float

ctx = context()
f = ctx.filters
period = f.period

st.title(t("pages.team"))
st.caption(t("team.caption", period=period.label()))

board = rep_leaderboard(ctx.reader, f.selection())
if board.empty:
    empty_notice()
    st.stop()
deals = deal_kpis(ctx.reader, f.selection())
board = board.merge(deals[deals["rep_id"].notna()], on="rep_id", how="left")

st.subheader(t("team.leaderboard"))
st.dataframe(
    pd.DataFrame(
        {
            t("team.col.rank"): range(1, len(board) + 1),
            t("team.col.rep"): board["full_name"],
            t("team.col.team"): board["team_name"],
            t("team.col.revenue"): [fmt_money(v) for v in board["net_revenue"]],
            t("team.col.orders"): [fmt_number(v) for v in board["orders"]],
            t("team.col.won"): [fmt_number(v) for v in board["deals_won"].fillna(0)],
            t("team.col.win_rate"): [fmt_pct(v) for v in board["win_rate"]],
            t("team.col.cycle"): [fmt_number(v, 1) for v in board["avg_cycle_days"]],
            t("team.col.visits"): [fmt_number(v) for v in board["visits"]],
            t("team.col.calls"): [fmt_number(v) for v in board["calls"]],
            t("team.col.meetings"): [fmt_number(v) for v in board["meetings"]],
        }
    ),
    hide_index=True,
    column_config={
        t("team.col.revenue"): st.column_config.TextColumn(
            help=help_text(ctx, "fct_order_lines.net_reporting_amount")
        ),
        t("team.col.win_rate"): st.column_config.TextColumn(help=t("help.win_rate")),
        t("team.col.cycle"): st.column_config.TextColumn(
            help=help_text(ctx, "fct_deals.cycle_days")
        ),
        t("team.col.visits"): st.column_config.TextColumn(
            help=help_text(ctx, "fct_activities.activity_type")
        ),
    },
)

st.subheader(t("team.activity"))
activity = board.melt(
    id_vars=["full_name"], value_vars=["visits", "calls", "meetings"], var_name="kind"
)
activity["kind"] = [t(f"team.col.{kind}") for kind in activity["kind"]]
st.altair_chart(
    alt.Chart(to_float(activity, "value"))
    .mark_bar()
    .encode(
        y=alt.Y("full_name:N", title=None, sort="-x"),
        x=alt.X("sum(value):Q", title=t("team.activity_count")),
        color=alt.Color("kind:N", title=None),
    ),
    width="stretch",
)

st.subheader(t("team.trend"))
trend = monthly_revenue(ctx.reader, replace(f.selection(), start=add_months(period.end, -12)))
if trend.empty:
    empty_notice()
else:
    st.altair_chart(
        alt.Chart(to_float(trend, "net_revenue"))
        .mark_line(point=True)
        .encode(
            x=alt.X("month:T", title=None, axis=alt.Axis(format="%Y-%m")),
            y=alt.Y("net_revenue:Q", title=t("team.col.revenue")),
            color=alt.Color("full_name:N", title=None),
        ),
        width="stretch",
    )
