"""The CRM over HubSpot's API, loaded into `raw_crm`."""

from collections.abc import Iterator

import dlt as dlt_lib
from dagster import AssetExecutionContext
from dagster_dlt import DagsterDltResource, dlt_assets
from dlt.pipeline.pipeline import Pipeline

from ingestion.pipelines import raw_pipeline
from ingestion.source_settings import source_settings
from ingestion.sources.hubspot import hubspot
from ingestion.sources.hubspot.settings import SKIPPED_PIPELINE_COLUMNS
from ingestion.sources.schema import typed_columns
from orchestration.defs.ingestion.loading import load_source
from orchestration.defs.ingestion.translator import DEFINITION_TIME_URL, RawTableTranslator
from orchestration.retries import retry_with_backoff

# built once to describe the tables; each load builds it with the settings of that moment
TABLES = hubspot(base_url="http://definitions-only", access_token="definitions-only")


# a skipped load (own data without HubSpot) creates the pipelines with the columns staging reads
TABLES.resources["pipelines"].apply_hints(
    columns=typed_columns(SKIPPED_PIPELINE_COLUMNS["pipelines"])
)


def _create_pipeline_stages(pipeline: Pipeline) -> None:
    """Create dlt's child table of the pipelines, `pipelines__stages`, empty: a skipped load
    creates only the resources' own tables, and staging reads the stages (not a Dagster asset
    of its own, so loaded beside the asset's run)."""
    stages = dlt_lib.resource(
        [dlt_lib.mark.materialize_table_schema()],
        name="pipelines__stages",
        columns=typed_columns(SKIPPED_PIPELINE_COLUMNS["pipelines__stages"]),
    )
    pipeline.run(stages)


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
    pipeline = raw_pipeline("crm")
    yield from load_source(context, dlt, "hubspot", hubspot, TABLES, pipeline)
    if source_settings("hubspot") is None:
        _create_pipeline_stages(pipeline)
