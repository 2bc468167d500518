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

from ingestion.platform.warehouse_url import warehouse_url
from orchestration.locks import advisory_lock
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
    """`dbt build` of the selected models: runs each model, then its data tests. One build at a
    time per warehouse (the advisory lock `dbt_build`), whichever run or instance started it.

    dbt's unit tests check the SQL of the metric formulas on fixed inputs, so they run where the
    SQL changes (`make test`: tests/dbt/test_unit_tests.py), not on every scheduled build."""
    with advisory_lock(warehouse_url(), "dbt_build", log=context.log.info):
        ensure_dbt_manifest(for_dbt_run=True)  # parse once for this connection, not per run
        build = ["build", "--exclude-resource-type", "unit_test"]
        yield from dbt.cli(build, context=context).stream()
