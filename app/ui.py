"""Small pieces every page uses: the scope a headline is about, metric cards, charts."""

from __future__ import annotations

from decimal import Decimal

import altair as alt
import pandas as pd
import streamlit as st

from app.context import PageContext
from app.data.catalog import definition
from app.i18n import fmt_compact, fmt_money, fmt_number, fmt_pct, t

TARGET_METRICS = ("revenue", "new_customers", "visits", "deals_won")


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
