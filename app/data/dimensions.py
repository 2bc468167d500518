"""The choices the sidebar offers: teams, reps, pipelines, lead sources and months with data.

Each runs as the viewer, so a manager is offered their teams only and a rep only themselves.
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

from app.data.connection import CACHE_TTL_S, Reader
from app.data.reps import CURRENT_REPS


@st.cache_data(ttl=CACHE_TTL_S, show_spinner=False)
def teams(reader: Reader) -> pd.DataFrame:
    return reader.read(
        "select team_id, team_name, region_id, region_name from marts.dim_teams order by team_name"
    )


@st.cache_data(ttl=CACHE_TTL_S, show_spinner=False)
def reps(reader: Reader) -> pd.DataFrame:
    """Every rep once, with the team they are assigned to now (or were last)."""
    return reader.read(
        f"""
        with {CURRENT_REPS}
        select rep_id, full_name, team_id, role
        from current_reps
        order by rep_id
        """
    )


@st.cache_data(ttl=CACHE_TTL_S, show_spinner=False)
def pipelines(reader: Reader) -> pd.DataFrame:
    return reader.read(
        """
        select distinct pipeline_id, pipeline_label, pipeline_display_order
        from marts.dim_pipeline_stages
        order by pipeline_display_order, pipeline_label
        """
    )


@st.cache_data(ttl=CACHE_TTL_S, show_spinner=False)
def lead_sources(reader: Reader) -> list[str]:
    frame = reader.read(
        "select distinct lead_source from marts.fct_deals where lead_source is not null order by 1"
    )
    return frame["lead_source"].tolist()


@st.cache_data(ttl=CACHE_TTL_S, show_spinner=False)
def months(reader: Reader) -> list:
    """Every month from the first to the latest up to today with orders or deals the viewer may
    see, latest first. The bounds are read from the date indexes (not every row: at a million
    order lines listing the distinct months took 180 ms on each page)."""
    frame = reader.read(
        """
        with bounds as (
            select min(order_date) as first_date, max(order_date) as last_date
            from marts.fct_orders
            where order_date <= current_date
            union all
            select min(created_date), max(created_date)
            from marts.fct_deals
            where created_date <= current_date
        ),
        span as (
            select
                date_trunc('month', min(first_date)) as first_month,
                date_trunc('month', max(last_date)) as last_month
            from bounds
        )
        select cast(month as date) as month
        from span
        cross join generate_series(span.first_month, span.last_month, interval '1 month') as month
        order by 1 desc
        """
    )
    return frame["month"].tolist()
