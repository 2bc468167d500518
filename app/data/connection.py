"""The app's database connection: marts only, through `APP_DATABASE_URL` or `WAREHOUSE_URL`."""

from __future__ import annotations

import os

import pandas as pd
import sqlalchemy as sa
import streamlit as st

from orchestration.warehouse import warehouse_url

CACHE_TTL_S = 300


@st.cache_resource
def engine() -> sa.Engine:
    """One pooled engine per app process."""
    url = os.environ.get("APP_DATABASE_URL") or warehouse_url()
    return sa.create_engine(url.replace("postgresql://", "postgresql+psycopg2://", 1))


def read(sql: str, **params: object) -> pd.DataFrame:
    """Run one parameterised query (`:name` placeholders) and return its rows."""
    with engine().connect() as conn:
        return pd.read_sql_query(sa.text(sql), conn, params=params)
