"""The choices the sidebar offers: teams, reps, pipelines, lead sources and months with data.

Each runs as the viewer, so a manager is offered their teams only and a rep only themselves.
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

from app.data.connection import CACHE_TTL_S, Reader


@st.cache_data(ttl=CACHE_TTL_S, show_spinner=False)
def teams(reader: Reader) -> pd.DataFrame:
    return reader.read(
        "select team_id, team_name, region_id, region_name from marts.dim_teams order by team_name"
    )


@st.cache_data(ttl=CACHE_TTL_S, show_spinner=False)
def reps(reader: Reader) -> pd.DataFrame:
    """Every rep once, with the team they are (or were last) assigned to."""
    return reader.read(
        """
        select distinct on (rep_id) rep_id, full_name, team_id, role
        from marts.dim_reps
        order by rep_id, valid_from desc
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
    """Months up to today with orders or deals the viewer may see, latest first."""
    frame = reader.read(
        """
        select distinct cast(date_trunc('month', order_date) as date) as month
        from marts.fct_orders
        where order_date <= current_date
        union
        select distinct cast(date_trunc('month', created_date) as date)
        from marts.fct_deals
        where created_date <= current_date
        order by 1 desc
        """
    )
    return frame["month"].tolist()
