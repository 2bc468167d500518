"""dlt pipelines into the warehouse: one per source, each loading its own `raw_<name>` schema
(or, with `RAW_DESTINATION=filesystem`, its own `raw_<name>` folder of Parquet files for Spark:
`ingestion.raw_files`)."""

from __future__ import annotations

import os

from ingestion.platform.paths import PROJECT_ROOT, state_dir

# dlt finds `.dlt/config.toml` and `.dlt/secrets.toml` here, whatever the working directory.
os.environ.setdefault("DLT_PROJECT_DIR", str(PROJECT_ROOT / "ingestion"))

import dlt  # noqa: E402  (must see DLT_PROJECT_DIR first)
from dlt.extract import DltResource, DltSource  # noqa: E402
from dlt.pipeline.pipeline import Pipeline  # noqa: E402

from ingestion.destination import warehouse, warehouse_credentials  # noqa: E402
from ingestion.platform.warehouse_url import warehouse_url
from ingestion.raw_files import raw_bucket_url, raw_files


def raw_pipeline(name: str, url: str | None = None) -> Pipeline:
    """The dlt pipeline that loads source `name` into schema `raw_<name>` of the warehouse.

    Its working folder is disposable: dlt keeps the incremental state in the warehouse too.
    With `RAW_DESTINATION=filesystem` the dataset is the folder `<RAW_BUCKET_URL>/raw_<name>`
    instead (the state is kept there), and the working folder is another one, so switching the
    setting never mixes the two destinations' states.
    """
    bucket_url = raw_bucket_url()
    if bucket_url is not None:
        return dlt.pipeline(
            pipeline_name=f"raw_{name}",
            destination=raw_files(bucket_url=bucket_url, destination_name="raw_files"),
            dataset_name=f"raw_{name}",
            pipelines_dir=str(state_dir() / "dlt_files"),
        )
    return dlt.pipeline(
        pipeline_name=f"raw_{name}",
        destination=warehouse(
            credentials=warehouse_credentials(url or warehouse_url()), destination_name="postgres"
        ),
        dataset_name=f"raw_{name}",
        pipelines_dir=str(state_dir() / "dlt"),
    )


def append_first_loads(source: DltSource, pipeline: Pipeline) -> DltSource:
    """Load the merged tables the destination does not hold yet with `append` instead.

    A merge copies every row twice: into a staging table, then (delete, insert) into the table
    itself. A table's first load has nothing to merge with, so the second copy only costs time:
    a third of the orders' first load at bench scale L (bench/README.md). Once the table exists,
    the resource's own `merge` applies again, so a re-run after a first load that died half way
    (rows of an unfinished load already in the table) replaces those rows, never adds a second
    copy. Rows of one load must be unique on the primary key, as a source table's rows are.

    Only for flat sources (`max_table_nesting=0`): nested tables appended on a first load would
    lack the root key a later merge deletes their old rows by.
    """
    if source.max_table_nesting != 0:
        raise ValueError(f"source {source.name} has nested tables; its first loads must merge")
    if isinstance(pipeline.destination, raw_files):
        return source  # Parquet files: every load is appended, then merged on key
    with pipeline.sql_client() as client:
        rows = client.execute_sql(
            "select table_name from information_schema.tables where table_schema = %s",
            client.dataset_name,
        )
    existing = {name for (name,) in rows}
    for resource in source.resources.selected.values():
        disposition = resource.write_disposition
        if isinstance(disposition, dict):
            disposition = disposition["disposition"]
        if disposition == "merge" and resource.table_name not in existing:
            resource.apply_hints(write_disposition="append")
    return source


def empty_tables(source: DltSource) -> DltSource:
    """A source with the same tables as `source` and no rows: loading it creates every table
    (with its declared columns) and reads nothing. A skipped source (own-data mode, not
    configured: `ingestion.source_settings`) loads this, so the models reading it still build."""
    resources = []
    for resource in source.resources.selected.values():
        table = resource.compute_table_schema()
        typed = {name: hint for name, hint in table["columns"].items() if hint.get("data_type")}
        resources.append(
            dlt.resource(
                [dlt.mark.materialize_table_schema()],
                name=resource.name,
                table_name=resource.table_name,
                columns=typed,
                write_disposition=table.get("write_disposition", "append"),
            )
        )

    @dlt.source(name=source.name, max_table_nesting=source.max_table_nesting)
    def empty() -> list[DltResource]:
        return resources

    return empty()
