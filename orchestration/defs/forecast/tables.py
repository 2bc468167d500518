"""What the forecast's Python assets share about the warehouse: a query for their checks, and the
grants and row-level security every table they write into `marts` gets."""

from typing import Any

import psycopg2

from ingestion.platform.warehouse_url import warehouse_url


def fetch_all(sql: str) -> list[tuple]:
    """Every row of one query on the warehouse, in its own connection."""
    conn = psycopg2.connect(warehouse_url())
    try:
        with conn, conn.cursor() as cur:
            cur.execute(sql)
            return cur.fetchall()
    finally:
        conn.close()


def protect_mart(cur: Any, table: str) -> None:
    """The mart's grants and row-level security (`app_meta.protect_mart`), once the access
    functions exist (dbt's on-run-start creates them)."""
    cur.execute("select to_regprocedure('app_meta.protect_mart(regclass)') is not null")
    if cur.fetchone()[0]:
        cur.execute("select app_meta.protect_mart(%s::regclass)", (table,))
