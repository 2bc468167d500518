"""What every page needs to know: the viewer, how to read as them, and the sidebar's filters.

The entry point (`streamlit_app.py`) sets it once per run before the page runs.
"""

from __future__ import annotations

from dataclasses import dataclass

import streamlit as st

from app.auth import Viewer
from app.data.connection import Reader
from app.filters import Filters


@dataclass(frozen=True)
class PageContext:
    viewer: Viewer
    reader: Reader
    filters: Filters


def set_context(context: PageContext) -> None:
    st.session_state["page_context"] = context


def context() -> PageContext:
    return st.session_state["page_context"]
