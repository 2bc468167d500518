"""The demo company's operational orders database (a separate PostgreSQL database, schema `shop`).

Rows arrive by `COPY`: a full build truncates and copies every table; advancing the demo copies
only the changed rows into temporary tables and upserts them, as an application would update them.
"""

from __future__ import annotations

import io

import pandas as pd
import psycopg2
from psycopg2 import sql

SCHEMA_SQL = """
create schema if not exists shop;
create table if not exists shop.customers (
    customer_id text primary key,
    customer_name text not null,
    customer_group text not null,
    region_id text,
    crm_company_id text,
    created_at timestamptz not null,
    updated_at timestamptz not null
);
create table if not exists shop.products (
    product_id text primary key,
    product_name text not null,
    product_line text not null,
    list_price numeric(18, 2) not null,
    currency text not null,
    updated_at timestamptz not null
);
create table if not exists shop.orders (
    order_id text primary key,
    customer_id text not null,
    sales_rep_id text not null,
    deal_id text,
    ordered_at timestamptz not null,
    currency text not null,
    status text not null,
    updated_at timestamptz not null
);
create table if not exists shop.order_lines (
    order_line_id text primary key,
    order_id text not null,
    product_id text not null,
    quantity integer not null,
    unit_price numeric(18, 2) not null,
    updated_at timestamptz not null
);
create table if not exists shop.refunds (
    refund_id text primary key,
    order_id text not null,
    order_line_id text,
    refund_type text not null,
    refunded_at timestamptz not null,
    amount numeric(18, 2) not null,
    updated_at timestamptz not null
);
create index if not exists customers_updated_at on shop.customers (updated_at);
create index if not exists orders_updated_at on shop.orders (updated_at);
create index if not exists order_lines_updated_at on shop.order_lines (updated_at);
create index if not exists refunds_updated_at on shop.refunds (updated_at);
"""
TABLES = ["customers", "products", "orders", "order_lines", "refunds"]
KEYS = {name: f"{name[:-1]}_id" for name in TABLES}


def _copy(cur, table: sql.Composable, frame: pd.DataFrame) -> None:
    buffer = io.StringIO()
    frame.to_csv(buffer, index=False, header=False, date_format="%Y-%m-%d %H:%M:%S%z")
    buffer.seek(0)
    columns = sql.SQL(", ").join(sql.Identifier(c) for c in frame.columns)
    cur.copy_expert(
        sql.SQL("copy {} ({}) from stdin with (format csv)").format(table, columns), buffer
    )


def write(url: str, tables: dict[str, pd.DataFrame], *, replace: bool) -> dict[str, int]:
    """Copy `tables` into the database: all rows (`replace`) or upserting changed ones.

    Returns the number of rows written per table.
    """
    written = {}
    with psycopg2.connect(url) as conn, conn.cursor() as cur:
        cur.execute(SCHEMA_SQL)
        if replace:
            cur.execute("truncate " + ", ".join(f"shop.{name}" for name in TABLES))
        for name in TABLES:
            frame = tables[name]
            target = sql.Identifier("shop", name)
            if replace:
                _copy(cur, target, frame)
            elif len(frame):
                staging = sql.Identifier(f"changed_{name}")
                cur.execute(
                    sql.SQL("create temporary table {} (like {}) on commit drop").format(
                        staging, target
                    )
                )
                _copy(cur, staging, frame)
                updates = sql.SQL(", ").join(
                    sql.SQL("{0} = excluded.{0}").format(sql.Identifier(c))
                    for c in frame.columns
                    if c != KEYS[name]
                )
                cur.execute(
                    sql.SQL(
                        "insert into {} select * from {} on conflict ({}) do update set {}"
                    ).format(target, staging, sql.Identifier(KEYS[name]), updates)
                )
            written[name] = len(frame)
    return written


def has_rows(url: str) -> bool:
    """Whether the database already holds the demo's orders."""
    try:
        with psycopg2.connect(url) as conn, conn.cursor() as cur:
            cur.execute("select to_regclass('shop.refunds') is not null")
            if not cur.fetchone()[0]:
                return False
            cur.execute("select exists (select 1 from shop.orders)")
            return bool(cur.fetchone()[0])
    except psycopg2.OperationalError:
        return False
