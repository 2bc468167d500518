"""Overview: how are sales going this period?"""

import streamlit as st

from app.data.orders import revenue_by_month

st.title("Overview")
revenue = revenue_by_month()
if revenue.empty:
    st.info("No orders in the warehouse yet: run `make pipeline`.")
else:
    latest = revenue.iloc[-1]
    st.metric(
        f"Net revenue, {latest['month']:%Y-%m} ({latest['currency']})",
        f"{latest['net_revenue']:,.2f}",
        help="Sum of order line amounts of completed orders; cancelled orders count as 0.",
    )
    st.dataframe(revenue, hide_index=True)
