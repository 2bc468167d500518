"""Team and reps: who sells, who does the work behind it (visits, calls), and the trend."""

from dataclasses import replace

import altair as alt
import pandas as pd
import streamlit as st

from app import clock
from app.context import context
from app.data.performance import attainment
from app.data.sales import deal_kpis, monthly_revenue, rep_leaderboard
from app.i18n import fmt_money, fmt_number, fmt_pct, t
from app.period import Period, add_months
from app.ui import empty_notice, help_text, to_float, top_and_rest

# Lines the trend draws: the best-selling reps over the 12 months, the rest added up as one line.
TREND_TOP = 5

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
targets = attainment(ctx.reader, period.grain, period.start, "rep")
targets = targets[targets["metric"] == "revenue"][["scope_id", "target_amount", "attainment_pct"]]
board = board.merge(targets.rename(columns={"scope_id": "rep_id"}), on="rep_id", how="left")

st.subheader(t("team.leaderboard"))
st.dataframe(
    pd.DataFrame(
        {
            t("team.col.rank"): range(1, len(board) + 1),
            t("team.col.rep"): board["full_name"],
            t("team.col.team"): board["team_name"],
            t("team.col.revenue"): [fmt_money(v) for v in board["net_revenue"]],
            t("team.col.target"): [
                fmt_money(v) if pd.notna(v) else t("team.no_target") for v in board["target_amount"]
            ],
            t("team.col.attainment"): [fmt_pct(v) for v in board["attainment_pct"]],
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
    height="content",
    column_config={
        t("team.col.revenue"): st.column_config.TextColumn(
            help=help_text(ctx, "fct_order_lines.net_reporting_amount")
        ),
        t("team.col.attainment"): st.column_config.TextColumn(
            help=help_text(ctx, "fct_target_attainment.attainment_pct")
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
st.caption(t("team.definitions"))

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
    lines = top_and_rest(trend, TREND_TOP, t("team.others"))
    today = clock.today()
    # Months as ordered labels, not timestamps: a time axis drew each month at the browser's
    # local midnight, so labels slid onto the wrong month. The running month is marked partial.
    lines["month_label"] = [
        f"{m:%Y-%m}" + (" " + t("team.partial") if Period("month", m).end > today else "")
        for m in lines["month"]
    ]
    lines["partial"] = [Period("month", m).end > today for m in lines["month"]]
    chart = alt.Chart(to_float(lines, "net_revenue")).encode(
        x=alt.X("month_label:O", title=None, sort=sorted(set(lines["month_label"]))),
        y=alt.Y("net_revenue:Q", title=t("team.col.revenue")),
        color=alt.Color("full_name:N", title=None, sort=list(dict.fromkeys(lines["full_name"]))),
    )
    points = chart.mark_point(filled=True, size=50).encode(
        shape=alt.Shape(
            "partial:N",
            scale=alt.Scale(domain=[False, True], range=["circle", "triangle-down"]),
            legend=None,
        )
    )
    st.altair_chart(chart.mark_line() + points, width="stretch")
    st.caption(t("team.trend_note", top=TREND_TOP))
