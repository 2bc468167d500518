"""Targets and attainment: who is on pace, by region, team and rep, with team -> rep drill-down."""

import altair as alt
import pandas as pd
import streamlit as st

from app.context import context
from app.data.performance import attainment, team_reps
from app.i18n import fmt_pct, t
from app.ui import (
    AMBER_PACE,
    STATUS_COLOURS,
    TARGET_METRICS,
    empty_notice,
    format_metric,
    gap_words,
    help_text,
    pace_statuses,
    scope_levels,
    to_float,
)

ctx = context()
period = ctx.filters.period

st.title(t("pages.targets"))
st.caption(t("targets.caption", period=period.label()))
metric = (
    st.segmented_control(
        t("targets.metric"),
        list(TARGET_METRICS),
        default="revenue",
        format_func={m: t(f"metric.{m}") for m in TARGET_METRICS}.__getitem__,
        key="targets_metric",
    )
    or "revenue"
)

rows = attainment(ctx.reader, period.grain, period.start)
rows = rows[rows["metric"] == metric]


def attainment_table(frame: pd.DataFrame) -> None:
    """The scope's rows with derived targets marked and pace made explicit."""
    shown = pd.DataFrame(
        {
            t("targets.col.name"): frame["scope_name"].fillna(frame["scope_id"]),
            t("targets.col.target"): [format_metric(metric, v) for v in frame["target_amount"]],
            t("targets.col.origin"): [
                t(f"origin.{o}") + (" ✱" if d else "")
                for o, d in zip(frame["target_origin"], frame["is_derived"], strict=True)
            ],
            t("targets.col.actual"): [format_metric(metric, v) for v in frame["actual_amount"]],
            t("targets.col.attainment"): [fmt_pct(v) for v in frame["attainment_pct"]],
            t("targets.col.elapsed"): [fmt_pct(v) for v in frame["elapsed_pct"]],
            t("targets.col.pace"): [fmt_pct(v) for v in frame["pace_pct"]],
            t("targets.col.projected"): [
                format_metric(metric, v) for v in frame["projected_amount"]
            ],
            t("targets.col.gap"): [gap_words(metric, v) for v in frame["gap_to_target"]],
            t("targets.col.status"): [t(f"status.{s}") for s in pace_statuses(frame)],
        }
    )
    st.dataframe(
        shown,
        hide_index=True,
        height="content",
        # on a phone the name stays put and the verdict comes first, the detail scrolls after
        column_order=[
            t(f"targets.col.{column}")
            for column in (
                "name",
                "status",
                "attainment",
                "actual",
                "target",
                "gap",
                "pace",
                "elapsed",
                "projected",
                "origin",
            )
        ],
        column_config={
            t("targets.col.name"): st.column_config.TextColumn(pinned=True),
            t("targets.col.attainment"): st.column_config.TextColumn(
                help=help_text(ctx, "fct_target_attainment.attainment_pct")
            ),
            t("targets.col.elapsed"): st.column_config.TextColumn(
                help=help_text(ctx, "fct_target_attainment.elapsed_pct")
            ),
            t("targets.col.pace"): st.column_config.TextColumn(
                help=help_text(ctx, "fct_target_attainment.pace_pct")
            ),
            t("targets.col.projected"): st.column_config.TextColumn(
                help=help_text(ctx, "fct_target_attainment.projected_amount")
            ),
            t("targets.col.gap"): st.column_config.TextColumn(
                help=help_text(ctx, "fct_target_attainment.gap_to_target")
            ),
            t("targets.col.origin"): st.column_config.TextColumn(
                help=help_text(ctx, "fct_target_attainment.target_origin")
            ),
        },
    )


def pace_chart(frame: pd.DataFrame) -> alt.Chart:
    """Attainment per scope as bars; the tick is the share of the period already elapsed."""
    data = to_float(frame, "attainment_pct", "elapsed_pct")
    data["name"] = data["scope_name"].fillna(data["scope_id"])
    data["status"] = [t(f"status.{s}") for s in pace_statuses(frame)]
    bars = (
        alt.Chart(data)
        .mark_bar()
        .encode(
            y=alt.Y("name:N", sort="-x", title=None),
            x=alt.X(
                "attainment_pct:Q", axis=alt.Axis(format="%"), title=t("targets.col.attainment")
            ),
            color=alt.Color(
                "status:N",
                title=t("targets.legend"),
                scale=alt.Scale(
                    domain=[t(f"status.{s}") for s in STATUS_COLOURS],
                    range=list(STATUS_COLOURS.values()),
                ),
                legend=alt.Legend(orient="bottom"),
            ),
        )
    )
    ticks = (
        alt.Chart(data)
        .mark_tick(color="black", thickness=2, size=18)
        .encode(y="name:N", x="elapsed_pct:Q")
    )
    return bars + ticks


frames = scope_levels(ctx, rows)
if not frames:
    empty_notice()
for tab, frame in zip(
    st.tabs([t(f"scope.{level}") for level in frames]), frames.values(), strict=True
):
    with tab:
        st.altair_chart(pace_chart(frame), use_container_width=True)
        attainment_table(frame)
st.caption(t("targets.legend_note", amber=fmt_pct(AMBER_PACE, 0)))

st.subheader(t("targets.drill"))
teams = rows[rows["scope_type"] == "team"]
if teams.empty:
    empty_notice()
else:
    names = dict(zip(teams["scope_id"], teams["scope_name"].fillna(teams["scope_id"]), strict=True))
    default = ctx.filters.team_id if ctx.filters.team_id in names else next(iter(names))
    team = st.selectbox(
        t("targets.drill_team"),
        list(names),
        index=list(names).index(default),
        format_func=names.get,
        key="targets_drill_team",
    )
    members = team_reps(ctx.reader, team, period.start, period.end)
    reps = rows[(rows["scope_type"] == "rep") & rows["scope_id"].isin(members)]
    attainment_table(teams[teams["scope_id"] == team])
    if reps.empty:
        empty_notice()
    else:
        attainment_table(reps)
st.caption(t("targets.derived_note"))
