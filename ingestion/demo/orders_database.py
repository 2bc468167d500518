"""The demo company's operational orders database (a separate PostgreSQL database).

Thin first version: a handful of fixed rows so the pipeline runs end to end. The full,
seeded generator of the demo company replaces the rows, not the shape.
"""

from __future__ import annotations

import psycopg2

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
    customer_id text not null references shop.customers,
    sales_rep_id text not null,
    deal_id text,
    ordered_at timestamptz not null,
    currency text not null,
    status text not null,
    updated_at timestamptz not null
);
create table if not exists shop.order_lines (
    order_line_id text primary key,
    order_id text not null references shop.orders,
    product_id text not null references shop.products,
    quantity integer not null,
    unit_price numeric(18, 2) not null,
    updated_at timestamptz not null
);
create index if not exists orders_updated_at on shop.orders (updated_at);
create index if not exists order_lines_updated_at on shop.order_lines (updated_at);
"""

CUSTOMERS = [
    ("C001", "Hangzhou Tea Co.", "enterprise", "east", "9001"),
    ("C002", "Shenzhen Robotics", "mid_market", "south", "9002"),
    ("C003", "Chengdu Foods", "smb", "west", None),
]
PRODUCTS = [
    ("P001", "Analytics Suite", "software", "12000.00", "CNY"),
    ("P002", "Onboarding Package", "services", "3000.00", "CNY"),
]
ORDERS = [  # order_id, customer, rep, deal, ordered_at, currency, status
    ("O001", "C001", "101", "D001", "2026-01-15 10:00+00", "CNY", "completed"),
    ("O002", "C002", "102", None, "2026-02-03 09:30+00", "CNY", "completed"),
    ("O003", "C003", "101", None, "2026-02-20 16:45+00", "CNY", "cancelled"),
]
ORDER_LINES = [  # order_line_id, order_id, product_id, quantity, unit_price
    ("L001", "O001", "P001", 2, "12000.00"),
    ("L002", "O001", "P002", 1, "3000.00"),
    ("L003", "O002", "P001", 1, "11500.50"),
    ("L004", "O003", "P002", 3, "3000.00"),
]
UPDATED_AT = "2026-03-01 00:00+00"


def build(url: str) -> None:
    """Create the orders database's tables and upsert the demo rows."""
    with psycopg2.connect(url) as conn, conn.cursor() as cur:
        cur.execute(SCHEMA_SQL)
        cur.executemany(
            "insert into shop.customers values (%s, %s, %s, %s, %s, %s, %s) on conflict do nothing",
            [(*row, "2025-12-01 00:00+00", UPDATED_AT) for row in CUSTOMERS],
        )
        cur.executemany(
            "insert into shop.products values (%s, %s, %s, %s, %s, %s) on conflict do nothing",
            [(*row, UPDATED_AT) for row in PRODUCTS],
        )
        cur.executemany(
            "insert into shop.orders values (%s, %s, %s, %s, %s, %s, %s, %s)"
            " on conflict do nothing",
            [(*row, UPDATED_AT) for row in ORDERS],
        )
        cur.executemany(
            "insert into shop.order_lines values (%s, %s, %s, %s, %s, %s) on conflict do nothing",
            [(*row, UPDATED_AT) for row in ORDER_LINES],
        )
