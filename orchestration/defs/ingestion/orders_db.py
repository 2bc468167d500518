"""The orders database, loaded into `raw_orders` through PostgreSQL's binary COPY (Parquet files
copied in by the ADBC driver); a table's first load is appended, later ones merged."""

from collections.abc import Iterator

import dlt
from dagster import AssetExecutionContext
from dagster_dlt import DagsterDltResource, dlt_assets

from ingestion.demo.settings import demo_orders_url
from ingestion.pipelines import append_first_loads, raw_pipeline
from ingestion.sources.orders_db import orders_db
from ingestion.sources.orders_db.settings import LOADER_FILE_FORMAT
from orchestration.defs.ingestion.translator import DEFINITION_TIME_URL, RawTableTranslator
from orchestration.retries import retry_with_backoff


def orders_db_credentials() -> str:
    """`sources.orders_db.credentials` from dlt's config, else the demo orders database."""
    configured = dlt.secrets.get("sources.orders_db.credentials")
    return str(configured) if configured else demo_orders_url()


@dlt_assets(
    dlt_source=orders_db(credentials=DEFINITION_TIME_URL),
    dlt_pipeline=raw_pipeline("orders", url=DEFINITION_TIME_URL),
    name="raw_orders",
    dagster_dlt_translator=RawTableTranslator(),
    pool="raw_orders",
)
@retry_with_backoff
def raw_orders_assets(context: AssetExecutionContext, dlt: DagsterDltResource) -> Iterator:
    """Incremental load of the orders database's tables."""
    pipeline = raw_pipeline("orders")
    yield from dlt.run(
        context=context,
        dlt_source=append_first_loads(orders_db(credentials=orders_db_credentials()), pipeline),
        dlt_pipeline=pipeline,
        loader_file_format=LOADER_FILE_FORMAT,
    )
