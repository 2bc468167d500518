"""The raw layer as Parquet files, for a warehouse built on Spark (docs/spark.md, "The raw layer
as Parquet"): dlt's filesystem destination, chosen by the environment.

`RAW_DESTINATION=filesystem` with `RAW_BUCKET_URL=<local folder or s3://, gs://, az:// URL>`
makes every raw pipeline write Parquet under `<bucket_url>/raw_<name>/<table>/`, the layout the
dbt macro `register_parquet_sources` reads. Unset (or `postgres`), the raw layer stays in the
warehouse's `raw_<name>` schemas, as before. A half setting fails before anything loads.

dlt's filesystem destination cannot merge plain Parquet files: a `merge` table falls back to
`append` (dlt 1.31, `FilesystemClient.prepare_load_table`), so a row updated at the source would
be there twice. Staging does not de-duplicate (PostgreSQL's merge already keeps one row per key),
so `RawFilesClient` completes every load by applying the merge on the files
(`ingestion.merge_on_key`): each folder then holds what the PostgreSQL table holds.
"""

from __future__ import annotations

import os
from pathlib import Path

import dlt
from dlt.common.destination.capabilities import DestinationCapabilitiesContext
from dlt.destinations.impl.filesystem.filesystem import FilesystemClient

from ingestion.merge_on_key import merge_load

DESTINATION_ENV = "RAW_DESTINATION"
BUCKET_URL_ENV = "RAW_BUCKET_URL"
POSTGRES = "postgres"
FILESYSTEM = "filesystem"


class RawDestinationSettingError(ValueError):
    """`RAW_DESTINATION` / `RAW_BUCKET_URL` do not name one raw layer: the message says the fix."""


def raw_bucket_url() -> str | None:
    """Where the raw Parquet goes, from the environment; None: the warehouse (the default)."""
    kind = os.environ.get(DESTINATION_ENV, "").strip().lower()
    url = os.environ.get(BUCKET_URL_ENV, "").strip()
    if kind in ("", POSTGRES):
        if url:
            raise RawDestinationSettingError(
                f"{BUCKET_URL_ENV} is set but {DESTINATION_ENV} is not {FILESYSTEM!r}: set "
                f"{DESTINATION_ENV}={FILESYSTEM} to write the raw layer as Parquet there, or "
                f"unset {BUCKET_URL_ENV} to load into PostgreSQL"
            )
        return None
    if kind != FILESYSTEM:
        raise RawDestinationSettingError(
            f"{DESTINATION_ENV}={kind!r}: use {POSTGRES!r} (the default) or {FILESYSTEM!r}"
        )
    if not url:
        raise RawDestinationSettingError(
            f"{DESTINATION_ENV}={FILESYSTEM} needs {BUCKET_URL_ENV}: a local folder or an object "
            "storage URL (s3://bucket/raw), the root the Spark sources are registered over"
        )
    if "://" not in url:  # a local folder: absolute, so the working directory does not matter
        url = str(Path(url).expanduser().resolve())
    return url


class RawFilesClient(FilesystemClient):
    """dlt's filesystem client, completing each load by merging its `merge` tables on key."""

    def complete_load(self, load_id: str) -> None:
        # before the load is recorded: a load that dies here is completed (and merged) again
        merge_load(self, load_id)
        super().complete_load(load_id)


class raw_files(dlt.destinations.filesystem):  # noqa: N801 (dlt's destination factories are lowercase)
    """dlt's `filesystem` destination writing Parquet (not JSON lines) through `RawFilesClient`."""

    def _raw_capabilities(self) -> DestinationCapabilitiesContext:
        capabilities = super()._raw_capabilities()
        capabilities.preferred_loader_file_format = "parquet"
        return capabilities

    @property
    def client_class(self) -> type[FilesystemClient]:
        return RawFilesClient
