"""A `WAREHOUSE_URL` naming a Unix socket and no password (trust, peer or `.pgpass` auth) works
for every component: the demo's build, dlt's loads, dbt, and the app's engine.

The server is a second real PostgreSQL (`trust_socket_url` in tests/conftest.py) that listens
on a socket folder only and trusts its users, so no password could be sent if one were needed.
"""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import date

import psycopg2
import pytest

from ingestion.platform.warehouse_url import (
    connection_environment,
    database_of,
    drop_database,
    ensure_database,
    with_database,
)

DATABASE = "socket_warehouse"


@pytest.fixture(scope="module")
def socket_warehouse(trust_socket_url: str):
    ensure_database(trust_socket_url, DATABASE)
    try:
        yield with_database(trust_socket_url, DATABASE)
    finally:
        drop_database(trust_socket_url, DATABASE)
        drop_database(trust_socket_url, "demo_orders")


def _rows(url: str, sql: str) -> list[tuple]:
    with psycopg2.connect(url) as conn, conn.cursor() as cur:
        cur.execute(sql)
        return cur.fetchall()


def test_the_socket_url_parts_are_read_from_the_query(socket_warehouse: str) -> None:
    socket_dir = socket_warehouse.split("host=", 1)[1]
    assert database_of(socket_warehouse) == DATABASE
    assert with_database(socket_warehouse, "demo_orders").endswith(
        f"/demo_orders?host={socket_dir}"
    )
    env = connection_environment(socket_warehouse)
    assert (env["WAREHOUSE_HOST"], env["WAREHOUSE_DB"]) == (socket_dir, DATABASE)
    assert (env["WAREHOUSE_USER"], env["WAREHOUSE_PASSWORD"]) == ("postgres", "")


def test_dlt_loads_through_the_socket_without_a_password(socket_warehouse: str) -> None:
    from ingestion.pipelines import raw_pipeline

    rows = [{"id": 1, "amount": "10.50"}, {"id": 2, "amount": "3.25"}]
    raw_pipeline("socket_probe", url=socket_warehouse).run(rows, table_name="payments")
    loaded = _rows(socket_warehouse, "select id, amount from raw_socket_probe.payments order by 1")
    assert loaded == [(1, "10.50"), (2, "3.25")]


def test_make_demo_builds_its_orders_database_beside_a_socket_warehouse(
    socket_warehouse: str, monkeypatch: pytest.MonkeyPatch, tmp_path
) -> None:
    from ingestion.demo.__main__ import build

    monkeypatch.setenv("WAREHOUSE_URL", socket_warehouse)
    monkeypatch.delenv("DEMO_ORDERS_URL", raising=False)
    monkeypatch.setenv("SPW_STATE_DIR", str(tmp_path))
    build(seed=7, scale=0.05, today=date(2026, 6, 15), rebuild=True, serve=False)
    orders_url = with_database(socket_warehouse, "demo_orders")
    [(orders,)] = _rows(orders_url, "select count(*) from shop.orders")
    assert orders > 0
    # and the orders source reads it through the same socket into the socket warehouse
    from ingestion.pipelines import raw_pipeline
    from ingestion.sources.orders_db import orders_db

    raw_pipeline("socket_orders", url=socket_warehouse).run(
        orders_db(credentials=orders_url, schema="shop").with_resources("orders")
    )
    assert _rows(socket_warehouse, "select count(*) from raw_socket_orders.orders") == [(orders,)]


def test_dbt_connects_through_the_socket(socket_warehouse: str, tmp_path) -> None:
    from orchestration.resources import DBT_EXECUTABLE, DBT_PROJECT_DIR

    result = subprocess.run(
        [str(DBT_EXECUTABLE), "debug", "--connection", "--project-dir", str(DBT_PROJECT_DIR)]
        + ["--profiles-dir", str(DBT_PROJECT_DIR)],
        env={**os.environ, **connection_environment(socket_warehouse)},
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "OK connection ok" in result.stdout


def test_the_apps_engine_connects_through_the_socket(socket_warehouse: str) -> None:
    probe = (
        "from app.data.connection import engine; import sqlalchemy as sa\n"
        "with engine().connect() as c: print(c.execute(sa.text('select current_database()'))"
        ".scalar())"
    )
    result = subprocess.run(
        [sys.executable, "-c", probe],
        env={**os.environ, "WAREHOUSE_URL": socket_warehouse},
        capture_output=True,
        text=True,
    )
    assert result.stdout.strip().splitlines()[-1] == DATABASE, result.stderr
