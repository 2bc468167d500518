"""The sales performance app: one page per question a manager, finance or an engineer asks.

Reads like the app's table of contents: language, sign-in, the viewer's database role, the
sidebar's filters, then the pages this viewer may open.
"""

import pandas as pd
import streamlit as st
from sqlalchemy.exc import SQLAlchemyError
from streamlit.navigation.page import StreamlitPage

from app.auth import Viewer, current_viewer, sign_out, write_session_cookie
from app.clock import today
from app.context import PageContext, set_context
from app.data.connection import MartMissing, Reader, data_version, lookup_db_role
from app.data.health import staleness
from app.filters import language_switch, sidebar
from app.i18n import t

st.set_page_config(
    page_title="Sales performance · 销售业绩", page_icon=":material/trending_up:", layout="wide"
)
language_switch()


def pages_for(viewer: Viewer | None) -> list[StreamlitPage]:
    """The pages a viewer may open; before sign-in every page, so that a shared link's page is
    still the page in the URL once the viewer has signed in (filters are in its query string)."""
    pages = [
        st.Page(
            "app_pages/overview.py",
            title=t("pages.overview"),
            icon=":material/dashboard:",
            default=True,
        ),
        st.Page("app_pages/targets.py", title=t("pages.targets"), icon=":material/flag:"),
        st.Page("app_pages/funnel.py", title=t("pages.funnel"), icon=":material/filter_alt:"),
        st.Page("app_pages/team.py", title=t("pages.team"), icon=":material/groups:"),
        st.Page("app_pages/customers.py", title=t("pages.customers"), icon=":material/apartment:"),
        st.Page(
            "app_pages/commissions.py", title=t("pages.commissions"), icon=":material/payments:"
        ),
        st.Page("app_pages/forecast.py", title=t("pages.forecast"), icon=":material/insights:"),
    ]
    if viewer is None or viewer.role != "rep":
        pages.append(
            st.Page(
                "app_pages/month_end.py", title=t("pages.month_end"), icon=":material/task_alt:"
            )
        )
    if viewer is None or viewer.is_finance:
        pages.append(
            st.Page(
                "app_pages/data_health.py",
                title=t("pages.health"),
                icon=":material/monitor_heart:",
            )
        )
    return pages


viewer = current_viewer()
if viewer is None:
    st.navigation(pages_for(None), position="hidden")
    st.stop()

try:
    version = data_version()
    db_role = "spw_finance" if viewer.is_finance else lookup_db_role(viewer.rep_id or "")
except (SQLAlchemyError, MartMissing):
    st.info(t("app.no_marts"))
    st.stop()
if db_role is None:
    st.error(t("app.no_db_role", login=viewer.login))
    st.stop()

reader = Reader(db_role=db_role, version=version)
st.sidebar.caption(t("app.signed_in", name=viewer.name, role=t(f"roles.{viewer.role}")))
st.sidebar.button(t("auth.sign_out"), on_click=sign_out)
write_session_cookie()

try:
    stale = staleness(reader)
    if stale["is_stale"]:
        last_good = stale["last_good_at"]
        when = f"{last_good:%Y-%m-%d %H:%M} UTC" if pd.notna(last_good) else t("health.never")
        st.warning(t("app.stale", last_good=when), icon=":material/schedule:")
    set_context(PageContext(viewer=viewer, reader=reader, filters=sidebar(reader, today())))
    st.navigation(pages_for(viewer)).run()
except MartMissing as missing:
    st.info(t("app.mart_missing", reason=str(missing)))
