"""Order and revenue figures from `marts.fct_orders`."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from app.data.connection import CACHE_TTL_S, read


@st.cache_data(ttl=CACHE_TTL_S)
def revenue_by_month() -> pd.DataFrame:
    """Orders and net revenue per month and currency."""
    return read(
        """
        select
            date_trunc('month', order_date)::date as month,
            order_currency as currency,
            count(*) as orders,
            sum(net_amount) as net_revenue
        from marts.fct_orders
        group by 1, 2
        order by 1, 2
        """
    )
