"""The app's database connection: marts only, as the signed-in viewer's database role.

The app connects with `APP_DATABASE_URL` (in production the `spw_app` login, which reads nothing
by itself) or else `WAREHOUSE_URL`, and runs every query in a read-only transaction after
`set local role` to the viewer's role, so PostgreSQL's row-level security decides which rows come
back, whatever the page asks for.
"""

from __future__ import annotations

import os
from dataclasses import dataclass

import pandas as pd
import psycopg2.errors
import sqlalchemy as sa
import streamlit as st

from ingestion.platform.warehouse_url import warehouse_url

# Results stay cached at most this long; a new pipeline run invalidates them at once (`Reader`).
CACHE_TTL_S = 600


@st.cache_resource
def engine() -> sa.Engine:
    """One pooled engine per app process."""
    url = os.environ.get("APP_DATABASE_URL") or warehouse_url()
    return sa.create_engine(
        url.replace("postgresql://", "postgresql+psycopg2://", 1),
        pool_pre_ping=True,
        connect_args={"application_name": "spw_app", "options": "-c statement_timeout=30000"},
    )


class MartMissing(RuntimeError):
    """A page needs a mart the warehouse does not have yet (the pipeline has not built it)."""


def _query(db_role: str, sql: str, params: dict[str, object]) -> pd.DataFrame:
    try:
        with engine().connect() as conn, conn.begin():
            conn.execute(sa.text("set transaction read only"))
            conn.execute(sa.text("select set_config('role', :role, true)"), {"role": db_role})
            return pd.read_sql_query(sa.text(sql), conn, params=params, coerce_float=False)
    except (sa.exc.ProgrammingError, pd.errors.DatabaseError) as exc:
        cause: BaseException | None = exc
        while cause is not None and not isinstance(cause, psycopg2.errors.UndefinedTable):
            cause = cause.__cause__ or getattr(cause, "orig", None)
        if cause is None:
            raise
        raise MartMissing(str(cause).splitlines()[0]) from exc


def data_version() -> str:
    """Which build of the marts this is: the latest dbt invocation's finish time and the marts'
    write counters, so a pipeline run (and the publish step after dbt) changes it. It is part of
    every cache key: results cached before a run are never served after it."""
    frame = _query(
        "spw_app_reader",
        """
        select
            coalesce((select max(finished_at)::text from app_meta.refreshes), '')
            || '/' || coalesce((
                select sum(relid::bigint + n_tup_ins + n_tup_upd + n_tup_del)::text
                from pg_catalog.pg_stat_user_tables
                where schemaname = 'marts'
            ), '') as version
        """,
        {},
    )
    return str(frame.iloc[0]["version"])


@dataclass(frozen=True)
class Reader:
    """Who is asking (`db_role`) and which build of the marts (`version`): the cache key of every
    cached query function, which takes a `Reader` as its first argument."""

    db_role: str
    version: str

    def read(self, sql: str, **params: object) -> pd.DataFrame:
        """Run one parameterised query (`:name` placeholders) as this reader."""
        return _query(self.db_role, sql, params)


def lookup_db_role(rep_id: str) -> str | None:
    """The viewer role row-level security knows `rep_id` by (`app_meta.viewers`), if any."""
    with engine().connect() as conn:
        row = conn.execute(
            sa.text("select db_role from app_meta.viewers where rep_id = :rep_id"),
            {"rep_id": rep_id},
        ).first()
    return None if row is None else str(row[0])
