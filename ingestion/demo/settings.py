"""Where the demo sources live: beside the warehouse, on the same PostgreSQL server."""

from __future__ import annotations

import os

from orchestration.warehouse import warehouse_url, with_database

DEMO_ORDERS_DATABASE = "demo_orders"


def demo_orders_url() -> str:
    """The demo orders database: `DEMO_ORDERS_URL`, else a database beside the warehouse."""
    return os.environ.get("DEMO_ORDERS_URL") or with_database(warehouse_url(), DEMO_ORDERS_DATABASE)
