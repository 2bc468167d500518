"""Tables of the orders database, their primary keys and incremental cursor."""

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
