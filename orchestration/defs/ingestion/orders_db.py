"""The orders database, loaded into `raw_orders` through PostgreSQL's binary COPY (Parquet files
copied in by the ADBC driver); a table's first load is appended, later ones merged."""

from collections.abc import Iterator

from dagster import AssetExecutionContext
from dagster_dlt import DagsterDltResource, dlt_assets

from ingestion.pipelines import append_first_loads, raw_pipeline
from ingestion.sources.orders_db import orders_db
from ingestion.sources.orders_db.settings import LOADER_FILE_FORMAT, with_declared_columns
from orchestration.defs.ingestion.loading import load_source
from orchestration.defs.ingestion.translator import DEFINITION_TIME_URL, RawTableTranslator
from orchestration.retries import retry_with_backoff

# declared columns: an own-data warehouse without an orders database still gets staging's columns
TABLES = with_declared_columns(orders_db(credentials=DEFINITION_TIME_URL))


@dlt_assets(
    dlt_source=TABLES,
    dlt_pipeline=raw_pipeline("orders", url=DEFINITION_TIME_URL),
    name="raw_orders",
    dagster_dlt_translator=RawTableTranslator(),
    pool="raw_orders",
)
@retry_with_backoff
def raw_orders_assets(context: AssetExecutionContext, dlt: DagsterDltResource) -> Iterator:
    """Incremental load of the orders database's tables."""
    pipeline = raw_pipeline("orders")
    yield from load_source(
        context,
        dlt,
        "orders_db",
        lambda **settings: append_first_loads(orders_db(**settings), pipeline),
        TABLES,
        pipeline,
        loader_file_format=LOADER_FILE_FORMAT,
    )
