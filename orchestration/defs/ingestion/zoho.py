"""The CRM over Zoho CRM's REST API, loaded into `raw_zoho` (empty unless configured)."""

from collections.abc import Iterator

from dagster import AssetExecutionContext
from dagster_dlt import DagsterDltResource, dlt_assets

from ingestion.pipelines import raw_pipeline
from ingestion.sources.zoho import zoho
from orchestration.defs.ingestion.loading import load_source
from orchestration.defs.ingestion.translator import DEFINITION_TIME_URL, RawTableTranslator
from orchestration.retries import retry_with_backoff

# built once to describe the tables; each load builds it with the settings of that moment
TABLES = zoho(
    client_id="definitions-only",
    client_secret="definitions-only",
    refresh_token="definitions-only",
)


@dlt_assets(
    dlt_source=TABLES,
    dlt_pipeline=raw_pipeline("zoho", url=DEFINITION_TIME_URL),
    name="raw_zoho",
    dagster_dlt_translator=RawTableTranslator(),
    pool="raw_zoho",
)
@retry_with_backoff
def raw_zoho_assets(context: AssetExecutionContext, dlt: DagsterDltResource) -> Iterator:
    """Incremental load of the Zoho org's users, pipelines, deals and their history, accounts,
    contacts and activities, and the records deleted since the last load."""
    pipeline = raw_pipeline("zoho")
    yield from load_source(context, dlt, "zoho", zoho, TABLES, pipeline)
