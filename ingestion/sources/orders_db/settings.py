"""Tables of the orders database, their primary keys, incremental cursor and declared columns."""

from __future__ import annotations

from dlt.extract import DltSource

CURSOR_COLUMN = "updated_at"
PRIMARY_KEYS: dict[str, str] = {
    "customers": "customer_id",
    "products": "product_id",
    "orders": "order_id",
    "order_lines": "order_line_id",
    "refunds": "refund_id",
}

# Load files as Parquet, copied in by the ADBC PostgreSQL driver (binary COPY): the Arrow batches
# ConnectorX reads are written once and never turned into text. CSV files (PostgreSQL's text
# COPY) took 3.3 of a first load's 8.5 seconds at bench scale L just to be written.
LOADER_FILE_FORMAT = "parquet"

# The business columns each table must have, as dlt column hints. The source learns its columns
# from the database, so a source skipped in own-data mode (no orders database: its tables are
# created empty, `ingestion.pipelines.empty_tables`) would create tables without them and dbt's
# staging of orders would fail. Applied to the definition-time tables only
# (`with_declared_columns`):
# a real load keeps the database's own types.
_TEXT = {"data_type": "text"}
_MONEY = {"data_type": "decimal", "precision": 18, "scale": 2}
_TIME = {"data_type": "timestamp", "timezone": True}
COLUMNS: dict[str, dict[str, dict[str, object]]] = {
    "customers": {
        "customer_id": _TEXT,
        "customer_name": _TEXT,
        "customer_group": _TEXT,
        "region_id": _TEXT,
        "crm_company_id": _TEXT,
        "created_at": _TIME,
        "updated_at": _TIME,
    },
    "products": {
        "product_id": _TEXT,
        "product_name": _TEXT,
        "product_line": _TEXT,
        "list_price": _MONEY,
        "currency": _TEXT,
        "updated_at": _TIME,
    },
    "orders": {
        "order_id": _TEXT,
        "customer_id": _TEXT,
        "sales_rep_id": _TEXT,
        "deal_id": _TEXT,
        "ordered_at": _TIME,
        "currency": _TEXT,
        "status": _TEXT,
        "updated_at": _TIME,
    },
    "order_lines": {
        "order_line_id": _TEXT,
        "order_id": _TEXT,
        "product_id": _TEXT,
        "quantity": {"data_type": "bigint"},
        "unit_price": _MONEY,
        "updated_at": _TIME,
    },
    "refunds": {
        "refund_id": _TEXT,
        "order_id": _TEXT,
        "order_line_id": _TEXT,
        "refund_type": _TEXT,
        "refunded_at": _TIME,
        "amount": _MONEY,
        "updated_at": _TIME,
    },
}


def with_declared_columns(source: DltSource) -> DltSource:
    """`source` with every table's `COLUMNS` hinted, so its empty stand-in has them too."""
    for resource in source.resources.values():
        resource.apply_hints(columns=COLUMNS[resource.table_name])
    return source
