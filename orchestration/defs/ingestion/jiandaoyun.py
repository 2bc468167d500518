"""The CRM kept in Jiandaoyun (简道云) forms, over its open API v5, loaded into `raw_jiandaoyun`
(empty unless configured)."""

from collections.abc import Iterator

from dagster import AssetExecutionContext
from dagster_dlt import DagsterDltResource, dlt_assets

from ingestion.pipelines import raw_pipeline
from ingestion.sources.jiandaoyun import jiandaoyun
from orchestration.defs.ingestion.loading import load_source
from orchestration.defs.ingestion.translator import DEFINITION_TIME_URL, RawTableTranslator
from orchestration.retries import retry_with_backoff

# built once to describe the tables; each load builds it with the settings of that moment
TABLES = jiandaoyun(api_key="definitions-only", base_url="http://definitions-only")


@dlt_assets(
    dlt_source=TABLES,
    dlt_pipeline=raw_pipeline("jiandaoyun", url=DEFINITION_TIME_URL),
    name="raw_jiandaoyun",
    dagster_dlt_translator=RawTableTranslator(),
    pool="raw_jiandaoyun",
)
@retry_with_backoff
def raw_jiandaoyun_assets(context: AssetExecutionContext, dlt: DagsterDltResource) -> Iterator:
    """Incremental load of the Jiandaoyun CRM forms, members, departments and stages."""
    pipeline = raw_pipeline("jiandaoyun")
    yield from load_source(context, dlt, "jiandaoyun", jiandaoyun, TABLES, pipeline)
