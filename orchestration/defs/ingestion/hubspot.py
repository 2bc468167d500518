"""The CRM over HubSpot's API, loaded into `raw_crm`."""

from collections.abc import Iterator

from dagster import AssetExecutionContext
from dagster_dlt import DagsterDltResource, dlt_assets

from ingestion.pipelines import raw_pipeline
from ingestion.sources.hubspot import hubspot
from orchestration.defs.ingestion.loading import load_source
from orchestration.defs.ingestion.translator import DEFINITION_TIME_URL, RawTableTranslator
from orchestration.retries import retry_with_backoff

# built once to describe the tables; each load builds it with the settings of that moment
TABLES = hubspot(base_url="http://definitions-only", access_token="definitions-only")


@dlt_assets(
    dlt_source=TABLES,
    dlt_pipeline=raw_pipeline("crm", url=DEFINITION_TIME_URL),
    name="raw_crm",
    dagster_dlt_translator=RawTableTranslator(),
    pool="raw_crm",
)
@retry_with_backoff
def raw_crm_assets(context: AssetExecutionContext, dlt: DagsterDltResource) -> Iterator:
    """Incremental load of the CRM's owners, pipelines, objects and deal stage history."""
    yield from load_source(context, dlt, "hubspot", hubspot, TABLES, raw_pipeline("crm"))
