"""The dbt project as assets `<schema>/<model>`; sources map onto the raw assets that load them."""

from collections.abc import Iterator, Mapping
from typing import Any

from dagster import AssetExecutionContext, AssetKey
from dagster_dbt import (
    DagsterDbtTranslator,
    DagsterDbtTranslatorSettings,
    DbtCliResource,
    dbt_assets,
)

from orchestration.resources import ensure_dbt_manifest


class WarehouseTableTranslator(DagsterDbtTranslator):
    """Keys named after the tables: `raw_<source>/<table>` for sources, `<schema>/<model>`."""

    def get_asset_key(self, dbt_resource_props: Mapping[str, Any]) -> AssetKey:
        return AssetKey([dbt_resource_props["schema"], dbt_resource_props["name"]])

    def get_group_name(self, dbt_resource_props: Mapping[str, Any]) -> str | None:
        return dbt_resource_props["schema"]


@dbt_assets(
    manifest=ensure_dbt_manifest(),
    dagster_dbt_translator=WarehouseTableTranslator(
        settings=DagsterDbtTranslatorSettings(enable_asset_checks=True)
    ),
)
def warehouse_dbt_models(context: AssetExecutionContext, dbt: DbtCliResource) -> Iterator:
    """`dbt build` of the selected models: runs each model, then its tests."""
    yield from dbt.cli(["build"], context=context).stream()
