"""How every source asset loads: with the settings `ingestion.source_settings` decides (one's
own, else the demo's in demo mode), or, for a source skipped in own-data mode, its tables empty."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

from dagster import AssetExecutionContext
from dagster_dlt import DagsterDltResource
from dlt.extract import DltSource
from dlt.pipeline.pipeline import Pipeline

from ingestion.pipelines import empty_tables
from ingestion.source_settings import demo_loads_dir, own_settings, source_settings


def load_source(
    context: AssetExecutionContext,
    dlt: DagsterDltResource,
    name: str,
    build: Callable[..., DltSource],
    tables: DltSource,
    pipeline: Pipeline,
    **run_options: Any,
) -> Iterator[Any]:
    """Load source `name`, built by `build(**settings)`; skipped, load `tables` empty."""
    settings = source_settings(name)
    if settings is None:
        context.log.warning(
            f"{name} is not configured and demo mode is off (own data): nothing loaded, its raw "
            "tables exist empty. Configure it under [sources." + name + "] (docs/own-data.md)."
        )
        source = empty_tables(tables)
    else:
        if own_settings(name) is None:  # the demo's stand-in: remembered for demo-remove
            demo_loads_dir().mkdir(parents=True, exist_ok=True)
            (demo_loads_dir() / pipeline.dataset_name).touch()
        source = build(**settings)
    yield from dlt.run(context=context, dlt_source=source, dlt_pipeline=pipeline, **run_options)
