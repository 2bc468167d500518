"""The forecast's Dagster pieces are in the one Definitions, after the dbt marts they read."""

from __future__ import annotations

from dagster import AssetKey


def test_forecast_assets_and_checks_follow_the_forecast_marts() -> None:
    from orchestration.definitions import defs

    graph = defs.resolve_asset_graph()
    ranges = graph.get(AssetKey(["marts", "fct_forecast_ranges"]))
    store = graph.get(AssetKey(["forecast_history", "forecasts"]))
    assert ranges.parent_keys == {
        AssetKey(["marts", "fct_forecasts"]),
        AssetKey(["marts", "fct_forecast_pipeline"]),
    }
    assert store.parent_keys == {AssetKey(["marts", "fct_forecasts"]), ranges.key}
    checks = {key.to_user_string() for key in graph.asset_check_keys}
    assert {
        "marts/fct_forecast_ranges:forecast_ranges_are_ordered",
        "marts/fct_forecast_ranges:every_forecast_has_a_range",
        "forecast_history/forecasts:every_forecast_is_stored",
        "marts/fct_forecasts:unique_fct_forecasts_forecast_id",
    } <= checks
    pipeline = defs.resolve_job_def("warehouse_pipeline")
    assert {ranges.key, store.key} <= set(pipeline.asset_layer.asset_graph.get_all_asset_keys())
