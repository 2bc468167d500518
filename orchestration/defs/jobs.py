"""Jobs: the one pipeline that schedules and `make pipeline` both run."""

from __future__ import annotations

from dagster import AssetSelection, define_asset_job

PIPELINE_JOB_NAME = "warehouse_pipeline"

warehouse_pipeline = define_asset_job(
    name=PIPELINE_JOB_NAME,
    selection=AssetSelection.all(),
    description="Load every source, then build and test every dbt model, then run the checks.",
)
