"""Customers from `marts.dim_customers`: tiers, activity and the churn warning.

Both readers filter to the customers the viewer may see whose latest order a rep of the team (or
the rep) took; the tiers are summed in the database, so only the churn-risk rows travel.
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

from app.data.connection import CACHE_TTL_S, Reader

_SCOPED = """
    from marts.dim_customers as customers
    left join marts.dim_reps as reps
        on customers.rep_id = reps.rep_id and reps.is_current
    where (cast(:rep_id as text) is null or customers.rep_id = :rep_id)
        and (cast(:team_id as text) is null or reps.team_id = :team_id)
"""


@st.cache_data(ttl=CACHE_TTL_S, show_spinner=False)
def tiers(reader: Reader, team_id: str | None, rep_id: str | None) -> pd.DataFrame:
    """Per value tier: customers and their trailing-12-month net revenue; plus how many of all
    of them are a churn risk (the same figure on every row)."""
    return reader.read(
        f"""
        select
            customers.value_tier,
            count(*) as customer_count,
            sum(customers.trailing_12m_net_revenue_amount) as trailing_12m_net_revenue_amount,
            sum(count(*) filter (where customers.is_churn_risk)) over () as churn_risk_count
        {_SCOPED}
        group by customers.value_tier
        """,
        team_id=team_id,
        rep_id=rep_id,
    )


@st.cache_data(ttl=CACHE_TTL_S, show_spinner=False)
def churn_risks(reader: Reader, team_id: str | None, rep_id: str | None) -> pd.DataFrame:
    """The customers flagged as a churn risk, largest trailing-12-month revenue first."""
    return reader.read(
        f"""
        select
            customers.customer_id, customers.customer_name, customers.customer_group,
            customers.rep_id, reps.full_name as rep_name, customers.value_tier,
            customers.last_order_date, customers.days_since_last_order,
            customers.last_interaction_at, customers.trailing_12m_net_revenue_amount,
            customers.recent_window_net_revenue_amount,
            customers.previous_window_net_revenue_amount, customers.reporting_currency
        {_SCOPED}
            and customers.is_churn_risk
        order by customers.trailing_12m_net_revenue_amount desc, customers.customer_name
        """,
        team_id=team_id,
        rep_id=rep_id,
    )
