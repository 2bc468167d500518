"""What each pipeline role reaches, shown with hand-written SQL (docs/reliability.md, Security).

Each statement runs in a transaction that is rolled back, after `set local role`, so privileges
are checked as that role and nothing it writes survives. The viewer roles (finance, manager, rep,
app reader) are tested in tests/app/test_access.py; here the pipeline's: loader and transformer.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import psycopg2
import pytest
from psycopg2 import errors


@contextmanager
def acting_as(url: str, role: str) -> Iterator[psycopg2.extensions.cursor]:
    """A cursor whose statements run as `role`, in a transaction rolled back afterwards."""
    conn = psycopg2.connect(url)
    try:
        with conn.cursor() as cur:
            cur.execute("select set_config('role', %s, true)", (role,))
            yield cur
    finally:
        conn.rollback()
        conn.close()


def _denied(url: str, role: str, statement: str) -> None:
    with acting_as(url, role) as cur, pytest.raises(errors.InsufficientPrivilege):
        cur.execute(statement)


def test_roles_exist_with_their_attributes(pipeline_run, query) -> None:
    rows = query(
        "select rolname, rolcanlogin, rolbypassrls from pg_roles"
        " where rolname in ('spw_loader', 'spw_transformer', 'spw_app_reader') order by 1"
    )
    assert rows == [
        ("spw_app_reader", False, False),
        ("spw_loader", False, True),
        ("spw_transformer", False, False),
    ]


def test_the_loader_writes_raw_and_nothing_else(pipeline_run, warehouse_url) -> None:
    with acting_as(warehouse_url, "spw_loader") as cur:
        cur.execute("select count(*) from raw_orders.order_lines")
        assert cur.fetchone()[0] == 15  # the tiny company's order lines
        cur.execute("update raw_orders.order_lines set quantity = quantity")
        assert cur.rowcount == 15
        cur.execute("create table raw_orders.loader_probe (id int)")
        cur.execute("create schema raw_new_source")  # a new source's first load
    for statement in (
        "select count(*) from marts.fct_orders",
        "select count(*) from staging.stg_orders__orders",
        "create table marts.loader_probe (id int)",
    ):
        _denied(warehouse_url, "spw_loader", statement)


def test_the_loader_bypasses_row_level_security(pipeline_run, warehouse_url) -> None:
    with acting_as(warehouse_url, "spw_loader") as cur:
        cur.execute("select current_user")
        assert cur.fetchone() == ("spw_loader",)
        # A policy that hides every row from everyone still hides nothing from the loader.
        cur.execute("reset role")
        cur.execute("alter table raw_orders.orders enable row level security")
        cur.execute("alter table raw_orders.orders force row level security")
        cur.execute("select set_config('role', 'spw_loader', true)")
        cur.execute("select count(*) from raw_orders.orders")
        assert cur.fetchone()[0] == 12  # the tiny company's orders O001..O012
        cur.execute("reset role")
        cur.execute("select set_config('role', 'spw_transformer', true)")
        cur.execute("select count(*) from raw_orders.orders")
        assert cur.fetchone()[0] == 0  # no policy, no rows: the transformer has no bypass


def test_the_transformer_reads_raw_and_builds_marts(pipeline_run, warehouse_url) -> None:
    with acting_as(warehouse_url, "spw_transformer") as cur:
        cur.execute("select count(*) from raw_orders.orders")
        assert cur.fetchone()[0] == 12
        cur.execute("create table marts.transformer_probe as select 1 as id")
        cur.execute("create table staging.transformer_probe as select 1 as id")
    for statement in (
        "insert into raw_orders.orders (order_id) values ('X')",
        "delete from raw_orders.order_lines",
        "create table raw_orders.transformer_probe (id int)",
        "drop table raw_orders.orders",
    ):
        _denied(warehouse_url, "spw_transformer", statement)
