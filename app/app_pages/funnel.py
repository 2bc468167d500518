"""Funnel: where deals convert, where they wait, why they are lost, which sources are worth it."""

from dataclasses import replace
from datetime import timedelta

import altair as alt
import pandas as pd
import streamlit as st

from app.context import context
from app.data import funnel
from app.i18n import fmt_money, fmt_number, fmt_pct, t, value_label
from app.period import add_months
from app.ui import bar_chart, empty_notice, help_text, to_float

# How far back the lead-source cohort reaches: deals need time to close, so a source is judged
# on the deals created over the months up to the period's end, not this month's alone.
COHORT_MONTHS = [1, 3, 6, 12]

ctx = context()
f = ctx.filters
period = f.period
selection = f.selection()

st.title(t("pages.funnel"))
st.caption(t("funnel.caption", period=period.label()))

stages = funnel.stages(ctx.reader, selection)
if stages.empty:
    empty_notice()
    st.stop()
medians = funnel.median_dwell(ctx.reader, selection)
stages = stages.merge(medians, on="stage_id", how="left")


def stage_charts(rows: pd.DataFrame) -> tuple[alt.Chart, alt.Chart]:
    """The funnel: the open stages in order, then won; beside it the deals lost at each stage
    (a loss is where a deal left the funnel, not a stage it went through). Labels are never cut
    short (`labelLimit=0`)."""
    funnel_rows = rows[~rows["is_closed_stage"] | rows["is_won_stage"]]
    order = list(funnel_rows["stage_label"])
    entered = to_float(funnel_rows, "deals_entered")
    lost = to_float(rows[~rows["is_closed_stage"]], "deals_lost_at_stage")
    stage_axis = alt.Y("stage_label:N", sort=order, title=None, axis=alt.Axis(labelLimit=0))
    funnel_chart = (
        alt.Chart(entered, title=t("funnel.entered_chart"))
        .mark_bar()
        .encode(
            y=stage_axis,
            x=alt.X("deals_entered:Q", title=t("funnel.col.entered"), stack="center"),
            color=alt.Color("stage_label:N", legend=None, sort=order),
            tooltip=[
                alt.Tooltip("stage_label:N", title=t("funnel.col.stage")),
                alt.Tooltip("deals_entered:Q", title=t("funnel.col.entered")),
            ],
        )
    )
    lost_chart = (
        alt.Chart(lost, title=t("funnel.lost_chart"))
        .mark_bar(color="#D55E00")
        .encode(
            y=stage_axis,
            x=alt.X("deals_lost_at_stage:Q", title=t("funnel.col.lost")),
            tooltip=[
                alt.Tooltip("stage_label:N", title=t("funnel.col.stage")),
                alt.Tooltip("deals_lost_at_stage:Q", title=t("funnel.col.lost")),
            ],
        )
    )
    return funnel_chart, lost_chart


for pipeline_id, rows in stages.groupby("pipeline_id", sort=False):
    rows = rows.sort_values("stage_display_order")
    st.subheader(t("funnel.pipeline", pipeline=rows["pipeline_label"].iloc[0]))
    funnel_chart, lost_chart = stage_charts(rows)
    chart_left, chart_right = st.columns([3, 2])
    chart_left.altair_chart(funnel_chart, width="stretch")
    chart_right.altair_chart(lost_chart, width="stretch")
    table = pd.DataFrame(
        {
            t("funnel.col.stage"): rows["stage_label"],
            t("funnel.col.entered"): [fmt_number(v) for v in rows["deals_entered"]],
            t("funnel.col.advanced"): [fmt_number(v) for v in rows["deals_advanced"]],
            t("funnel.col.conversion"): [fmt_pct(v) for v in rows["conversion_rate"]],
            t("funnel.col.lost"): [fmt_number(v) for v in rows["deals_lost_at_stage"]],
            t("funnel.col.loss_rate"): [fmt_pct(v) for v in rows["loss_rate"]],
            t("funnel.col.open"): [fmt_number(v) for v in rows["deals_open_at_stage"]],
            t("funnel.col.avg_dwell"): [fmt_number(v, 1) for v in rows["avg_dwell_days"]],
            t("funnel.col.median_dwell"): [fmt_number(v, 1) for v in rows["median_dwell_days"]],
        }
    )
    column_help = {
        "funnel.col.entered": "fct_funnel_stages.deals_entered",
        "funnel.col.advanced": "fct_funnel_stages.deals_advanced",
        "funnel.col.conversion": "fct_funnel_stages.conversion_rate",
        "funnel.col.lost": "fct_funnel_stages.deals_lost_at_stage",
        "funnel.col.loss_rate": "fct_funnel_stages.loss_rate",
        "funnel.col.open": "fct_funnel_stages.deals_open_at_stage",
        "funnel.col.avg_dwell": "fct_funnel_stages.avg_dwell_days",
        "funnel.col.median_dwell": "fct_funnel_stages.median_dwell_days",
    }
    st.dataframe(
        table,
        hide_index=True,
        height="content",
        column_config={
            t(label): st.column_config.TextColumn(help=help_text(ctx, column))
            for label, column in column_help.items()
        },
        key=f"funnel_table_{pipeline_id}",
    )

left, right = st.columns(2)
with left:
    st.subheader(t("funnel.loss_reasons"))
    reasons = funnel.loss_reasons(ctx.reader, selection)
    if reasons.empty:
        empty_notice()
    else:
        reasons["loss_reason"] = [
            value_label("loss_reason", v) if v else t("funnel.no_reason")
            for v in reasons["loss_reason"]
        ]
        st.altair_chart(
            bar_chart(
                reasons, "deals_lost", "loss_reason", t("funnel.col.lost"), t("funnel.reason")
            ),
            width="stretch",
        )
with right:
    st.subheader(t("funnel.sources"), help=help_text(ctx, "fct_deals.lead_source"))
    months = (
        st.segmented_control(
            t("funnel.cohort"),
            COHORT_MONTHS,
            default=6,
            format_func=lambda n: t("funnel.cohort_months", months=n),
            key="funnel_cohort",
        )
        or 6
    )
    cohort = replace(selection, start=add_months(period.end, -months))
    st.caption(
        t(
            "funnel.cohort_note",
            start=f"{cohort.start:%Y-%m-%d}",
            end=f"{cohort.end - timedelta(days=1):%Y-%m-%d}",
        )
    )
    sources = funnel.lead_source_quality(ctx.reader, cohort)
    if sources.empty:
        empty_notice()
    else:
        st.dataframe(
            pd.DataFrame(
                {
                    t("funnel.source"): [
                        value_label("lead_source", v) if v else t("funnel.no_source")
                        for v in sources["lead_source"]
                    ],
                    t("funnel.col.created"): [fmt_number(v) for v in sources["deals_created"]],
                    t("funnel.col.won"): [fmt_number(v) for v in sources["deals_won"]],
                    t("funnel.col.lost"): [fmt_number(v) for v in sources["deals_lost"]],
                    t("funnel.col.open"): [fmt_number(v) for v in sources["deals_open"]],
                    t("funnel.col.win_rate"): [fmt_pct(v) for v in sources["win_rate"]],
                    t("funnel.col.won_amount"): [fmt_money(v) for v in sources["won_amount"]],
                }
            ),
            hide_index=True,
            height="content",
            column_config={
                t("funnel.col.win_rate"): st.column_config.TextColumn(help=t("help.win_rate"))
            },
        )

st.subheader(t("funnel.stuck"), help=t("help.stuck"))
stuck = funnel.stuck_deals(ctx.reader, selection)
if stuck.empty:
    st.success(t("funnel.none_stuck"))
else:
    st.dataframe(
        pd.DataFrame(
            {
                t("funnel.col.deal"): stuck["deal_name"],
                t("funnel.col.owner"): stuck["owner_name"],
                t("funnel.col.pipeline"): stuck["pipeline_label"],
                t("funnel.col.stage"): stuck["stage_label"],
                t("funnel.col.days_in_stage"): [fmt_number(v, 1) for v in stuck["days_in_stage"]],
                t("funnel.col.p90"): [fmt_number(v, 1) for v in stuck["p90_dwell_days"]],
                t("funnel.col.amount"): [
                    fmt_money(v, c)
                    for v, c in zip(
                        stuck["deal_reporting_amount"], stuck["reporting_currency"], strict=True
                    )
                ],
            }
        ),
        hide_index=True,
        height="content",
    )
