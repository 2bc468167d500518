"""The sales performance app: one page per question a manager, finance or an engineer asks."""

import streamlit as st

st.set_page_config(page_title="Sales performance", layout="wide")

navigation = st.navigation(
    [
        st.Page("app_pages/overview.py", title="Overview", default=True),
    ]
)
navigation.run()
