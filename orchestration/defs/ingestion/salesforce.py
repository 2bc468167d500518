"""The CRM over Salesforce's REST API, loaded into `raw_salesforce` (empty unless configured)."""

from collections.abc import Iterator

from dagster import AssetExecutionContext
from dagster_dlt import DagsterDltResource, dlt_assets

from ingestion.pipelines import raw_pipeline
from ingestion.sources.salesforce import salesforce
from orchestration.defs.ingestion.loading import load_source
from orchestration.defs.ingestion.translator import DEFINITION_TIME_URL, RawTableTranslator
from orchestration.retries import retry_with_backoff

# built once to describe the tables; each load builds it with the settings of that moment
TABLES = salesforce(
    instance_url="http://definitions-only",
    client_id="definitions-only",
    client_secret="definitions-only",
)


@dlt_assets(
    dlt_source=TABLES,
    dlt_pipeline=raw_pipeline("salesforce", url=DEFINITION_TIME_URL),
    name="raw_salesforce",
    dagster_dlt_translator=RawTableTranslator(),
    pool="raw_salesforce",
)
@retry_with_backoff
def raw_salesforce_assets(context: AssetExecutionContext, dlt: DagsterDltResource) -> Iterator:
    """Incremental load of the Salesforce org's users, stages, opportunities and activities."""
    pipeline = raw_pipeline("salesforce")
    yield from load_source(context, dlt, "salesforce", salesforce, TABLES, pipeline)
