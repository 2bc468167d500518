"""The operational orders database, over any SQLAlchemy URL (PostgreSQL and MySQL documented).

Reads with dlt's `sql_database` tables on the pyarrow backend, incrementally on `updated_at`
(`>=` the last cursor, then de-duplicated on the primary key by the `merge` disposition), and loads
through PostgreSQL `COPY` (the csv loader file format) rather than row-by-row inserts.

Configuration (dlt conventions): `sources.orders_db.credentials` (a secret: an SQLAlchemy URL) and
`sources.orders_db.schema` (the database schema holding the tables).
"""

from __future__ import annotations

from collections.abc import Iterable

import dlt
from dlt.sources import DltResource
from dlt.sources.sql_database import sql_table

from ingestion.sources.orders_db.settings import CURSOR_COLUMN, PRIMARY_KEYS


@dlt.source(name="orders_db", max_table_nesting=0)
def orders_db(
    credentials: str = dlt.secrets.value,
    schema: str = dlt.config.value,
    chunk_size: int = 50_000,
) -> Iterable[DltResource]:
    """One incremental, merged resource per table of the orders database."""
    for table, key in PRIMARY_KEYS.items():
        yield sql_table(
            credentials=credentials,
            table=table,
            schema=schema,
            backend="pyarrow",
            chunk_size=chunk_size,
            defer_table_reflect=True,
            incremental=dlt.sources.incremental(CURSOR_COLUMN),
        ).apply_hints(primary_key=key, write_disposition="merge")
