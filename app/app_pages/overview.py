"""Overview: how are sales going this period, against last period and the target?"""

import pandas as pd
import streamlit as st

from app.alerts import SHOWN_GROUPS, group_alerts, min_elapsed
from app.clock import today
from app.context import context
from app.data.performance import attainment, behind_pace, count_actuals
from app.data.sales import deal_kpis, order_kpis
from app.i18n import fmt_money_compact, fmt_number, fmt_pct, t
from app.period import Period, elapsed_share
from app.ui import (
    TARGET_METRICS,
    alert_group,
    card_metric,
    change,
    headline_scope,
    help_text,
    ratio,
)

ctx = context()
period = ctx.filters.period
previous = period.previous()
scope_type, scope_id = headline_scope(ctx)

st.title(t("pages.overview"))
st.caption(t("overview.caption", period=period.label(), previous=previous.label()))

now = attainment(ctx.reader, period.grain, period.start, scope_type, scope_id)
before = attainment(ctx.reader, previous.grain, previous.start, scope_type, scope_id)

orders = order_kpis(ctx.reader, ctx.filters.selection())
orders_before = order_kpis(ctx.reader, ctx.filters.selection(previous))


def actual_of(metric: str, rows: pd.DataFrame, which: Period) -> object:
    """The attainment rows' actual, or when nobody set a target the metric counted directly (the
    attainment mart has rows only where there is a target; the actual still shows)."""
    if not rows.empty:
        return rows["actual_amount"].sum()
    if metric == "revenue":
        return order_kpis(ctx.reader, ctx.filters.selection(which))["net_revenue"]
    return count_actuals(ctx.reader, ctx.filters.selection(which))[metric]


st.subheader(t("overview.targets"))
cards = st.columns(len(TARGET_METRICS))
for card, metric in zip(cards, TARGET_METRICS, strict=True):
    rows = now[now["metric"] == metric]
    actual = actual_of(metric, rows, period)
    target = rows["target_amount"].sum() if not rows.empty else None
    previous_actual = actual_of(metric, before[before["metric"] == metric], previous)
    attained = ratio(actual, target)
    with card:
        st.metric(
            t(f"metric.{metric}"),
            card_metric(metric, actual),
            delta=change(actual, previous_actual),
            help=help_text(ctx, "fct_target_attainment.actual_amount", t("overview.delta_help")),
            border=True,
        )
        if attained is not None:
            elapsed = rows["elapsed_pct"].max()
            st.progress(
                max(0.0, min(float(attained), 1.0)),
                text=t(
                    "overview.progress",
                    attained=fmt_pct(attained),
                    target=card_metric(metric, target),
                    elapsed=fmt_pct(elapsed),
                ),
            )
        else:
            st.caption(t("overview.no_target"))

st.subheader(t("overview.process"))
deals = deal_kpis(ctx.reader, ctx.filters.selection())
deals_total = deals[deals["rep_id"].isna()].iloc[0] if not deals.empty else None
process = st.columns(4)
# The currency goes in the label: a metric card has no room for the value and its code.
in_currency = f" ({orders['currency']})" if orders["currency"] else ""
process[0].metric(
    t("metric.net_revenue") + in_currency,
    fmt_money_compact(orders["net_revenue"]),
    delta=change(orders["net_revenue"], orders_before["net_revenue"]),
    help=help_text(ctx, "fct_order_lines.net_reporting_amount"),
    border=True,
)
process[1].metric(
    t("metric.average_order_value") + in_currency,
    fmt_money_compact(orders["average_order_value"]),
    delta=change(orders["average_order_value"], orders_before["average_order_value"]),
    help=t("help.average_order_value"),
    border=True,
)
process[2].metric(
    t("metric.win_rate"),
    fmt_pct(None if deals_total is None else deals_total["win_rate"]),
    help=help_text(ctx, "fct_deals.is_won", t("help.win_rate")),
    border=True,
)
process[3].metric(
    t("metric.cycle_days"),
    fmt_number(None if deals_total is None else deals_total["avg_cycle_days"], 1),
    help=help_text(ctx, "fct_deals.cycle_days"),
    border=True,
)

st.subheader(t("overview.alerts"))
elapsed = now["elapsed_pct"].max() if not now.empty else None
share = float(elapsed) if elapsed is not None else elapsed_share(period, today())
threshold = min_elapsed()
groups = group_alerts(
    behind_pace(
        ctx.reader,
        period.grain,
        period.start,
        period.end,
        ctx.filters.team_id,
        ctx.filters.rep_id,
    )
)
if share < threshold:
    st.info(t("overview.too_early", elapsed=fmt_pct(share), threshold=fmt_pct(threshold)))
elif not groups:
    st.success(t("overview.nobody_behind"))
else:
    st.caption(
        t("overview.alerts_caption", groups=len(groups), shown=min(len(groups), SHOWN_GROUPS))
    )
    for group in groups[:SHOWN_GROUPS]:
        alert_group(group)
    if len(groups) > SHOWN_GROUPS:
        with st.expander(t("overview.show_all", count=len(groups) - SHOWN_GROUPS)):
            for group in groups[SHOWN_GROUPS:]:
                alert_group(group)
