"""The one Dagster `Definitions` of the warehouse, combined from `orchestration/defs/`."""

from __future__ import annotations

from dagster import Definitions

from orchestration.defs.ingestion.orders_db import raw_orders_assets
from orchestration.defs.jobs import warehouse_pipeline
from orchestration.defs.transform.dbt_models import warehouse_dbt_models
from orchestration.resources import build_resources

defs = Definitions(
    assets=[raw_orders_assets, warehouse_dbt_models],
    jobs=[warehouse_pipeline],
    resources=build_resources(),
)
