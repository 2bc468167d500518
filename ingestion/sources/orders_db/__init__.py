"""The operational orders database, over any SQLAlchemy URL (PostgreSQL and MySQL documented).

Reads with dlt's `sql_database` tables on the ConnectorX backend, incrementally on `updated_at`
(`>=` the last cursor, then de-duplicated on the primary key by the `merge` disposition), and loads
through PostgreSQL's binary `COPY` (Parquet load files, `settings.LOADER_FILE_FORMAT`, copied in
by the ADBC driver) rather than row-by-row inserts. ConnectorX reads the database's binary
protocol straight into Arrow record batches (numeric as exact decimals), streamed `chunk_size`
rows at a time; the pyarrow backend built Python row tuples first and took about twice as long to
extract (`bench/README.md`).

Rows breaking a rule (a missing key, an unknown currency, a quantity or price that is not a
number) go to `<table>_rejected` with the raw row and the reason. A column whose type changes
stops the load; a new column is added to the raw table.

Configuration (dlt conventions): `sources.orders_db.credentials` (a secret: an SQLAlchemy URL),
`sources.orders_db.schema` (the database schema holding the tables) and optionally
`sources.orders_db.currencies` (the ISO codes accepted; default `KNOWN_CURRENCIES`).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

import dlt
from dlt.sources import DltResource
from dlt.sources.sql_database import sql_table

from ingestion.platform.warehouse_url import socket_in_authority
from ingestion.sources.orders_db.helpers import rejecting, rules
from ingestion.sources.orders_db.settings import CURSOR_COLUMN, PRIMARY_KEYS
from ingestion.sources.schema import KNOWN_CURRENCIES, SCHEMA_CONTRACT

# Rows of one load are unique on the primary key already (the source table's key; rows seen again
# at the cursor boundary are dropped by the incremental), so the merge skips dlt's de-duplication
# pass (a `row_number()` over the whole staging table) and only deletes and inserts.
MERGE: dict[str, Any] = {"disposition": "merge", "strategy": "delete-insert", "deduplicated": True}


@dlt.source(name="orders_db", max_table_nesting=0)
def orders_db(
    credentials: str = dlt.secrets.value,
    schema: str = dlt.config.value,
    chunk_size: int = 50_000,
    currencies: Sequence[str] = tuple(sorted(KNOWN_CURRENCIES)),
) -> Iterable[DltResource]:
    """One incremental, merged resource per table of the orders database."""
    table_rules = rules(frozenset(c.upper() for c in currencies))
    backend_kwargs: dict[str, Any] = {"return_type": "arrow_stream", "batch_size": chunk_size}
    reader_url = socket_in_authority(credentials)
    if reader_url != credentials:  # ConnectorX reads a socket folder only from the host part
        backend_kwargs["conn"] = reader_url
    for table, key in PRIMARY_KEYS.items():
        resource = sql_table(
            credentials=credentials,
            table=table,
            schema=schema,
            backend="connectorx",
            backend_kwargs=backend_kwargs,
            chunk_size=chunk_size,
            defer_table_reflect=True,
            incremental=dlt.sources.incremental(CURSOR_COLUMN),
        ).apply_hints(primary_key=key, write_disposition=MERGE, schema_contract=SCHEMA_CONTRACT)
        yield resource.add_yield_map(rejecting(table, key, table_rules[table]))
