"""Forecast: where the month and quarter will land, how sure we are, and how right we were."""

import altair as alt
import pandas as pd
import streamlit as st

from app.context import context
from app.data.forecast import (
    accuracy_history,
    deals_that_matter,
    expected_commissions,
    latest_forecasts,
)
from app.i18n import fmt_money, fmt_pct, t
from app.ui import empty_notice, headline_scope, help_text, scope_levels, to_float

ctx = context()
METHODS = ("crm_weighted", "commit", "best_case", "empirical")

st.title(t("pages.forecast"))
period_type = (
    st.segmented_control(
        t("forecast.period_type"),
        ["month", "quarter"],
        default="month",
        format_func={p: t(f"forecast.period.{p}") for p in ("month", "quarter")}.__getitem__,
        key="forecast_period_type",
    )
    or "month"
)
rows = latest_forecasts(ctx.reader, period_type)
if rows.empty:
    empty_notice()
    st.stop()
first = rows.iloc[0]
st.caption(
    t(
        "forecast.caption",
        period_start=first["period_start"],
        period_end=first["period_end_date"],
        forecast_date=first["forecast_date"],
    )
)


def slippage(pushes: object) -> str:
    """ "pushed N times" for a deal whose close date slipped; a dash where the CRM keeps no
    close-date history (unknown, not none)."""
    if pd.isna(pushes):
        return "—"
    return t("forecast.deal.pushed", count=int(pushes)) if pushes else ""


def fan_chart(frame: pd.DataFrame) -> alt.Chart:
    """P10-P90 of each scope as a band, P50 as a dot, the target as a tick."""
    data = to_float(frame, "p10_amount", "p50_amount", "p90_amount", "target_amount")
    data["name"] = data["scope_name"].fillna(data["scope_id"])
    base = alt.Chart(data).encode(y=alt.Y("name:N", title=None))
    band = base.mark_bar(opacity=0.35, color="#0072B2").encode(
        x=alt.X("p10_amount:Q", title=t("forecast.axis")), x2="p90_amount:Q"
    )
    median = base.mark_point(filled=True, size=70, color="#0072B2").encode(x="p50_amount:Q")
    target = base.mark_tick(color="#D55E00", thickness=2, size=22).encode(x="target_amount:Q")
    return band + median + target


def forecast_table(frame: pd.DataFrame) -> None:
    """Every method's number per scope, the range, the target, the gap and the coverage."""
    money = {
        "closed_won_amount": "closed",
        "commit_forecast_amount": "commit",
        "best_case_forecast_amount": "best_case",
        "crm_weighted_forecast_amount": "crm_weighted",
        "empirical_forecast_amount": "empirical",
        "p10_amount": "p10",
        "p50_amount": "p50",
        "p90_amount": "p90",
        "target_amount": "target",
        "gap_to_target_amount": "gap",
    }
    shown = pd.DataFrame({t("forecast.col.name"): frame["scope_name"].fillna(frame["scope_id"])})
    for column, label in money.items():
        shown[t(f"forecast.col.{label}")] = [fmt_money(v) for v in frame[column]]
    shown[t("forecast.col.coverage")] = [fmt_pct(v, 0) for v in frame["pipeline_coverage"]]
    st.dataframe(
        shown,
        hide_index=True,
        column_config={
            t(f"forecast.col.{label}"): st.column_config.TextColumn(
                help=help_text(ctx, f"fct_forecasts.{column}")
            )
            for column, label in money.items()
            if not column.startswith("p")
        },
    )


levels = scope_levels(ctx, rows)
if not levels:
    empty_notice()
for tab, frame in zip(
    st.tabs([t(f"scope.{level}") for level in levels]), levels.values(), strict=True
):
    with tab:
        st.altair_chart(fan_chart(frame), use_container_width=True)
        forecast_table(frame)
st.caption(t("forecast.fan_note"))

st.subheader(t("forecast.deals"))
deals = deals_that_matter(ctx.reader, first["period_end_date"])
if deals.empty:
    empty_notice()
else:
    st.dataframe(
        pd.DataFrame(
            {
                t("forecast.deal.name"): deals["deal_name"].fillna(deals["deal_id"]),
                t("forecast.deal.rep"): deals["rep_id"],
                t("forecast.deal.stage"): deals["stage_label"],
                t("forecast.deal.amount"): [fmt_money(v) for v in deals["amount"]],
                t("forecast.deal.probability"): [
                    fmt_pct(v, 0) for v in deals["empirical_probability"]
                ],
                t("forecast.deal.basis"): [
                    t(f"forecast.basis.{b}") for b in deals["win_rate_basis"]
                ],
                t("forecast.deal.close"): deals["expected_close_date"],
                t("forecast.deal.slippage"): [
                    slippage(pushes) for pushes in deals["close_date_push_count"]
                ],
            }
        ),
        hide_index=True,
    )
    st.caption(t("forecast.deals_note"))

st.subheader(t("forecast.commission"))
commissions = expected_commissions(ctx.reader)
if commissions.empty:
    empty_notice()
else:
    st.caption(t("forecast.commission_caption", period_start=commissions.iloc[0]["period_start"]))
    if len(commissions) == 1:  # a rep's own figure, in a sentence
        own = commissions.iloc[0]
        st.info(
            t(
                "forecast.commission_sentence"
                if own["expected_deal_count"]
                else "forecast.commission_sentence_none",
                deals=own["expected_deal_count"],
                expected=fmt_money(own["expected_commission_amount"]),
                booked=fmt_money(own["booked_commission_amount"]),
                added=fmt_money(own["added_commission_amount"]),
                currency=own["amount_currency"],
            )
        )
    st.dataframe(
        pd.DataFrame(
            {
                t("forecast.comm.rep"): commissions["full_name"].fillna(commissions["rep_id"]),
                t("forecast.comm.deals"): commissions["expected_deal_count"],
                t("forecast.comm.booked_credit"): [
                    fmt_money(v) for v in commissions["booked_credited_amount"]
                ],
                t("forecast.comm.expected_credit"): [
                    fmt_money(v) for v in commissions["expected_credited_amount"]
                ],
                t("forecast.comm.booked"): [
                    fmt_money(v) for v in commissions["booked_commission_amount"]
                ],
                t("forecast.comm.expected"): [
                    fmt_money(v) for v in commissions["expected_commission_amount"]
                ],
                t("forecast.comm.added"): [
                    fmt_money(v) for v in commissions["added_commission_amount"]
                ],
            }
        ),
        hide_index=True,
    )
    st.caption(t("forecast.commission_note"))

st.subheader(t("forecast.accuracy"))
scope_type, scope_id = headline_scope(ctx)
if scope_id is None:
    first_level = next(iter(levels.values()), rows)
    scope_type, scope_id = first_level.iloc[0]["scope_type"], first_level.iloc[0]["scope_id"]
history = accuracy_history(ctx.reader, scope_type, scope_id, period_type)
if history.empty:
    st.info(t("forecast.no_history"))
else:
    summary = history.drop_duplicates(["forecast_point", "forecast_method"])
    st.dataframe(
        pd.DataFrame(
            {
                t("forecast.acc.point"): [
                    t(f"forecast.point.{p}") for p in summary["forecast_point"]
                ],
                t("forecast.acc.method"): [
                    t(f"forecast.method.{m}") for m in summary["forecast_method"]
                ],
                t("forecast.acc.wape"): [fmt_pct(v) for v in summary["wape"]],
                t("forecast.acc.bias"): [fmt_pct(v) for v in summary["bias"]],
                t("forecast.acc.periods"): summary["period_count"],
            }
        ),
        hide_index=True,
        column_config={
            t("forecast.acc.wape"): st.column_config.TextColumn(
                help=help_text(ctx, "fct_forecast_accuracy.wape")
            ),
            t("forecast.acc.bias"): st.column_config.TextColumn(
                help=help_text(ctx, "fct_forecast_accuracy.bias")
            ),
        },
    )
    errors = to_float(history[history["forecast_point"] == "start"], "error_amount")
    errors["method"] = [t(f"forecast.method.{m}") for m in errors["forecast_method"]]
    st.altair_chart(
        alt.Chart(errors)
        .mark_line(point=True)
        .encode(
            x=alt.X("period_start:T", title=None),
            y=alt.Y("error_amount:Q", title=t("forecast.acc.error")),
            color=alt.Color("method:N", title=None, legend=alt.Legend(orient="bottom")),
        ),
        use_container_width=True,
    )
