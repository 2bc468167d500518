"""The one Definitions object loads, and its asset keys are the tables they make."""

from __future__ import annotations

from dagster import AssetKey


def test_definitions_load_with_table_named_assets() -> None:
    from orchestration.definitions import defs

    keys = {key for key in defs.resolve_asset_graph().get_all_asset_keys()}
    assert AssetKey(["raw_orders", "orders"]) in keys
    assert AssetKey(["staging", "stg_orders__orders"]) in keys
    assert AssetKey(["marts", "fct_orders"]) in keys
    assert defs.resolve_job_def("warehouse_pipeline") is not None
