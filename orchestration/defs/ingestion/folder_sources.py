"""Assets of the file-based sources: a configured folder, else the demo company's."""

from collections.abc import Callable, Iterator
from pathlib import Path

import dlt
from dagster import AssetExecutionContext, AssetsDefinition
from dagster_dlt import DagsterDltResource, dlt_assets
from dlt.sources import DltSource

from ingestion.pipelines import raw_pipeline
from orchestration.defs.ingestion.translator import DEFINITION_TIME_URL, RawTableTranslator
from orchestration.retries import retry_with_backoff


def configured_folder(source_name: str, demo_folder: Callable[[], Path]) -> str:
    """`sources.<name>.folder` from dlt's config (or environment), else the demo's folder."""
    configured = dlt.config.get(f"sources.{source_name}.folder")
    return str(configured) if configured else str(demo_folder())


def folder_source_assets(
    source: Callable[..., DltSource],
    source_name: str,
    dataset: str,
    demo_folder: Callable[[], Path],
) -> AssetsDefinition:
    """One asset per table of a folder source, loading into `raw_<dataset>`."""

    @dlt_assets(
        dlt_source=source(folder="definitions-only"),
        dlt_pipeline=raw_pipeline(dataset, url=DEFINITION_TIME_URL),
        name=f"raw_{dataset}",
        dagster_dlt_translator=RawTableTranslator(),
        pool=f"raw_{dataset}",
    )
    @retry_with_backoff
    def assets(context: AssetExecutionContext, dlt: DagsterDltResource) -> Iterator:
        yield from dlt.run(
            context=context,
            dlt_source=source(folder=configured_folder(source_name, demo_folder)),
            dlt_pipeline=raw_pipeline(dataset),
        )

    return assets
