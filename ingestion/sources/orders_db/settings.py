"""Tables of the orders database, their primary keys and incremental cursor."""

CURSOR_COLUMN = "updated_at"
PRIMARY_KEYS: dict[str, str] = {
    "customers": "customer_id",
    "products": "product_id",
    "orders": "order_id",
    "order_lines": "order_line_id",
    "refunds": "refund_id",
}
