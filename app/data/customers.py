"""Customers from `marts.dim_customers`: tiers, activity and the churn warning."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from app.data.connection import CACHE_TTL_S, Reader


@st.cache_data(ttl=CACHE_TTL_S, show_spinner=False)
def customers(reader: Reader, team_id: str | None, rep_id: str | None) -> pd.DataFrame:
    """Every customer the viewer may see, with tier, activity and the churn warning; filtered to
    the customers whose latest order a rep of the team (or the rep) took."""
    return reader.read(
        """
        select
            customers.customer_id, customers.customer_name, customers.customer_group,
            customers.rep_id, reps.full_name as rep_name, customers.value_tier,
            customers.last_order_date, customers.days_since_last_order,
            customers.last_interaction_at, customers.trailing_12m_net_revenue_amount,
            customers.recent_window_net_revenue_amount,
            customers.previous_window_net_revenue_amount, customers.reporting_currency,
            customers.is_churn_risk
        from marts.dim_customers as customers
        left join marts.dim_reps as reps
            on customers.rep_id = reps.rep_id and reps.is_current
        where (cast(:rep_id as text) is null or customers.rep_id = :rep_id)
            and (cast(:team_id as text) is null or reps.team_id = :team_id)
        order by customers.trailing_12m_net_revenue_amount desc, customers.customer_name
        """,
        team_id=team_id,
        rep_id=rep_id,
    )
