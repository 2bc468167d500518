"""Commission plan files, validated and loaded into `raw_plans` (replaced on every load)."""

from collections.abc import Iterator

import dlt
from dagster import AssetExecutionContext
from dagster_dlt import DagsterDltResource, dlt_assets

from ingestion.pipelines import raw_pipeline
from ingestion.sources.commission_plans import commission_plans
from orchestration.defs.ingestion.translator import DEFINITION_TIME_URL, RawTableTranslator
from orchestration.retries import retry_with_backoff


def plans_folder() -> str:
    """`sources.commission_plans.folder` from dlt's config (`ingestion/.dlt/config.toml`)."""
    return str(dlt.config["sources.commission_plans.folder"])


@dlt_assets(
    dlt_source=commission_plans(folder="."),
    dlt_pipeline=raw_pipeline("plans", url=DEFINITION_TIME_URL),
    name="raw_plans",
    dagster_dlt_translator=RawTableTranslator(),
    pool="raw_plans",
)
@retry_with_backoff
def raw_plans_assets(context: AssetExecutionContext, dlt: DagsterDltResource) -> Iterator:
    """Loads the plans folder; a bad plan file fails this step with every error by name."""
    yield from dlt.run(
        context=context,
        dlt_source=commission_plans(folder=plans_folder()),
        dlt_pipeline=raw_pipeline("plans"),
    )
