"""Small pieces every page uses: the scope a headline is about, metric cards, charts."""

from __future__ import annotations

from decimal import Decimal

import altair as alt
import pandas as pd
import streamlit as st

from app.alerts import AlertGroup
from app.context import PageContext
from app.data.catalog import definition
from app.i18n import fmt_compact, fmt_money, fmt_money_compact, fmt_number, fmt_pct, t

TARGET_METRICS = ("revenue", "new_customers", "visits", "deals_won")
# Pace (attainment / elapsed share) at or above 1 is on pace (green); from AMBER_PACE up to 1 a
# little behind (amber); below it well behind (red). Colours from the Okabe-Ito palette's
# green/orange/vermilion, told apart also by their names in the legend.
AMBER_PACE = Decimal("0.8")
STATUS_COLOURS = {"on_pace": "#009E73", "slightly_behind": "#E69F00", "behind": "#D55E00"}


def headline_scope(ctx: PageContext) -> tuple[str, str | None]:
    """Which attainment rows the headline adds up: the chosen rep or team, else the company for
    finance and every row the viewer may see (their teams, or themselves) for the others."""
    if ctx.filters.rep_id:
        return "rep", ctx.filters.rep_id
    if ctx.filters.team_id:
        return "team", ctx.filters.team_id
    if ctx.viewer.is_finance:
        return "company", "company"
    return ("team", None) if ctx.viewer.role == "manager" else ("rep", None)


def help_text(ctx: PageContext, column_key: str, extra: str | None = None) -> str:
    """A metric's definition as dbt documents it, plus the app's note on how it is shown."""
    parts = [definition(ctx.reader, column_key) or "", extra or ""]
    return "\n\n".join(part for part in parts if part)


def ratio(numerator: object, denominator: object) -> Decimal | None:
    """numerator / denominator, or None when either is missing or the denominator is zero."""
    if numerator is None or denominator is None or pd.isna(numerator) or pd.isna(denominator):
        return None
    denominator = Decimal(str(denominator))
    return None if denominator == 0 else Decimal(str(numerator)) / denominator


def change(current: object, previous: object) -> str | None:
    """The relative change from the previous period, for a metric card's delta."""
    rate = ratio(current, previous)
    return None if rate is None else fmt_pct(rate - 1)


def format_metric(metric: str, value: object, currency: str | None = None) -> str:
    return fmt_money(value, currency) if metric == "revenue" else fmt_number(value)


def card_metric(metric: str, value: object) -> str:
    """A metric on a card: money compact from a million up (`fmt_money_compact`), counts whole."""
    return fmt_money_compact(value) if metric == "revenue" else fmt_number(value)


def to_float(frame: pd.DataFrame, *columns: str) -> pd.DataFrame:
    """Decimal columns as floats for a chart's axis only; tables and cards keep the exact values."""
    out = frame.copy()
    for column in columns:
        out[column] = pd.to_numeric(out[column], errors="coerce").astype(float)
    return out


def bar_chart(
    frame: pd.DataFrame, value: str, category: str, value_title: str, category_title: str
) -> alt.Chart:
    """A horizontal bar chart, longest bar first, labelled in the viewer's language."""
    data = to_float(frame, value)
    data["label"] = [fmt_compact(v) for v in data[value]]
    base = alt.Chart(data).encode(
        y=alt.Y(f"{category}:N", sort="-x", title=category_title),
        x=alt.X(f"{value}:Q", title=value_title),
        tooltip=[
            alt.Tooltip(f"{category}:N", title=category_title),
            alt.Tooltip("label:N", title=value_title),
        ],
    )
    return base.mark_bar() + base.mark_text(align="left", dx=3).encode(text="label:N")


def empty_notice() -> None:
    st.info(t("app.no_rows"))


def gap_words(metric: str, gap: object) -> str:
    """A gap to target in words, never a bare sign: "short by 1,200.00", "ahead by 300.00"."""
    if gap is None or pd.isna(gap):
        return "-"
    amount = Decimal(str(gap))
    if amount == 0:
        return t("gap.on_target")
    key = "gap.short_by" if amount > 0 else "gap.ahead_by"
    return t(key, amount=format_metric(metric, abs(amount)))


def alert_group(group: AlertGroup) -> None:
    """One warning box for a team and metric: what is at stake, then each row behind pace."""
    metric = t(f"metric.{group.metric}")
    stake = (
        t("overview.at_stake", amount=format_metric("revenue", group.at_stake))
        if group.at_stake is not None
        else t("overview.behind_count", count=len(group.rows))
    )
    lines = [f"**{group.team_name or t('overview.no_team')} · {metric}** · {stake}"]
    for row in group.rows.itertuples():
        lines.append(
            "- "
            + t(
                "overview.behind",
                scope=t(f"scope.{row.scope_type}"),
                name=row.scope_name or row.scope_id,
                attained=fmt_pct(row.attainment_pct),
                elapsed=fmt_pct(row.elapsed_pct),
                projected=format_metric(row.metric, row.projected_amount),
                target=format_metric(row.metric, row.target_amount),
            )
        )
    st.warning("\n".join(lines), icon=":material/warning:")


def pace_statuses(frame: pd.DataFrame) -> list[str]:
    """Each row's traffic light (`on_pace`, `slightly_behind`, `behind`) from its pace; a row
    without a pace (zero target, period not started) counts as on pace unless the mart says it
    is behind."""
    statuses = []
    for pace, behind in zip(frame["pace_pct"], frame["is_behind_pace"], strict=True):
        if not behind:
            statuses.append("on_pace")
        elif pace is not None and not pd.isna(pace) and Decimal(str(pace)) >= AMBER_PACE:
            statuses.append("slightly_behind")
        else:
            statuses.append("behind")
    return statuses


# The viewer's own scope first (a rep: themselves; a manager: their teams; finance: the company).
LEVEL_ORDER = {
    "rep": ["rep", "team", "region", "company"],
    "manager": ["team", "rep", "region", "company"],
    "finance": ["company", "region", "team", "rep"],
}


def scope_levels(ctx: PageContext, rows: pd.DataFrame) -> dict[str, pd.DataFrame]:
    """`rows` split by `scope_type` in the viewer's order, under the sidebar's team and rep
    filters, keeping only the levels with rows, so a page never opens on an empty tab."""
    levels = {}
    for level in LEVEL_ORDER[ctx.viewer.role]:
        frame = rows[rows["scope_type"] == level]
        if ctx.filters.team_id and level == "team":
            frame = frame[frame["scope_id"] == ctx.filters.team_id]
        if ctx.filters.rep_id and level == "rep":
            frame = frame[frame["scope_id"] == ctx.filters.rep_id]
        if not frame.empty:
            levels[level] = frame
    return levels


def top_and_rest(frame: pd.DataFrame, top: int, rest_label: str) -> pd.DataFrame:
    """Monthly `net_revenue` per `full_name` cut to the `top` names by total, the others added up
    under `rest_label`: eight tangled lines become a readable few. Sums stay exact (Decimal)."""
    totals = frame.groupby("full_name")["net_revenue"].sum().sort_values(ascending=False)
    keep = list(totals.index[:top])
    named = frame["full_name"].where(frame["full_name"].isin(keep), rest_label)
    out = (
        frame.assign(full_name=named)
        .groupby(["month", "full_name"], as_index=False, sort=False)["net_revenue"]
        .sum()
    )
    rank = out["full_name"].map({name: i for i, name in enumerate([*keep, rest_label])})
    return out.assign(rank=rank).sort_values(["rank", "month"]).drop(columns="rank")
