"""Commission plan files, validated and loaded into `raw_plans` (replaced on every load)."""

from collections.abc import Iterator

from dagster import AssetExecutionContext
from dagster_dlt import DagsterDltResource, dlt_assets

from ingestion.pipelines import raw_pipeline
from ingestion.sources.commission_plans import commission_plans
from orchestration.defs.ingestion.loading import load_source
from orchestration.defs.ingestion.translator import DEFINITION_TIME_URL, RawTableTranslator
from orchestration.retries import retry_with_backoff

TABLES = commission_plans(folder=".")


@dlt_assets(
    dlt_source=TABLES,
    dlt_pipeline=raw_pipeline("plans", url=DEFINITION_TIME_URL),
    name="raw_plans",
    dagster_dlt_translator=RawTableTranslator(),
    pool="raw_plans",
)
@retry_with_backoff
def raw_plans_assets(context: AssetExecutionContext, dlt: DagsterDltResource) -> Iterator:
    """Loads the plans folder; a bad plan file fails this step with every error by name. In
    own-data mode without a configured folder no plans load (no incentives), never the demo's."""
    yield from load_source(
        context, dlt, "commission_plans", commission_plans, TABLES, raw_pipeline("plans")
    )
