"""The warehouse as a dlt destination: dlt's PostgreSQL destination with two repairs.

dlt's PostgreSQL credentials require a host and a password, so a `WAREHOUSE_URL` naming a
Unix-socket folder (`postgresql://user@/db?host=/run/postgresql`) or no password (trust, peer
or `.pgpass` authentication) failed at the first load ("Missing 1 field(s) ... password").
`warehouse_credentials` fills both: the socket folder as the host, percent-encoded as libpq
reads it there, and an explicit empty password.

dlt writes an empty load file for a table whose extract produced no rows (an empty source table,
or an incremental run that found nothing new). Its ADBC Parquet copy job fails on such a file
("Must pass schema, or at least one RecordBatch", dlt 1.31), which would fail that load for good.
There is nothing to copy, so here the job succeeds at once: the table itself is created from the
schema before any job runs, and a merge that follows finds an empty staging table.
"""

from __future__ import annotations

from urllib.parse import quote

import dlt
import pyarrow.parquet as pq
from dlt.destinations.impl.postgres.configuration import PostgresCredentials
from dlt.destinations.impl.postgres.postgres import PostgresClient, PostgresParquetCopyJob

from ingestion.platform.warehouse_url import port_of


def warehouse_credentials(url: str) -> PostgresCredentials:
    """dlt credentials for any libpq URL: TCP or Unix socket, with or without a password."""
    credentials = PostgresCredentials()
    credentials.parse_native_representation(url)
    if credentials.query.get("host", "").startswith("/"):
        # libpq reads a percent-encoded folder in the URL's host part as a socket folder
        credentials.host = quote(credentials.query.pop("host"), safe="")
    credentials.port = port_of(url)
    if credentials.password is None:
        credentials.password = ""
    return credentials


class EmptyParquetSafeCopyJob(PostgresParquetCopyJob):
    """Copies a Parquet load file in through ADBC, or nothing when it has no rows."""

    def run(self) -> None:
        if pq.ParquetFile(self._file_path).metadata.num_rows == 0:
            return
        super().run()


class WarehouseClient(PostgresClient):
    """dlt's PostgreSQL client, with `EmptyParquetSafeCopyJob` for Parquet load files."""

    def create_load_job(self, table, file_path, load_id, restore=False):  # type: ignore[override]
        job = super().create_load_job(table, file_path, load_id, restore)
        if type(job) is PostgresParquetCopyJob:
            return EmptyParquetSafeCopyJob(file_path)
        return job


class warehouse(dlt.destinations.postgres):  # noqa: N801 (dlt's destination factories are lowercase)
    """dlt's `postgres` destination factory, building a `WarehouseClient`."""

    @property
    def client_class(self) -> type[PostgresClient]:
        return WarehouseClient
