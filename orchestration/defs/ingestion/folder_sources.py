"""Assets of the file-based sources: a configured folder, else the demo company's (demo mode)."""

from collections.abc import Callable, Iterator

from dagster import AssetExecutionContext, AssetsDefinition
from dagster_dlt import DagsterDltResource, dlt_assets
from dlt.sources import DltSource

from ingestion.pipelines import raw_pipeline
from orchestration.defs.ingestion.loading import load_source
from orchestration.defs.ingestion.translator import DEFINITION_TIME_URL, RawTableTranslator
from orchestration.retries import retry_with_backoff


def folder_source_assets(
    source: Callable[..., DltSource], source_name: str, dataset: str
) -> AssetsDefinition:
    """One asset per table of a folder source, loading into `raw_<dataset>`."""
    tables = source(folder="definitions-only")

    @dlt_assets(
        dlt_source=tables,
        dlt_pipeline=raw_pipeline(dataset, url=DEFINITION_TIME_URL),
        name=f"raw_{dataset}",
        dagster_dlt_translator=RawTableTranslator(),
        pool=f"raw_{dataset}",
    )
    @retry_with_backoff
    def assets(context: AssetExecutionContext, dlt: DagsterDltResource) -> Iterator:
        yield from load_source(context, dlt, source_name, source, tables, raw_pipeline(dataset))

    return assets
