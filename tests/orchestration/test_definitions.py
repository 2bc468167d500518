"""The one Definitions object loads; its assets, checks, schedules and sensors are as designed."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from dagster import AssetKey, AssetsDefinition

from orchestration.retries import RETRIES_MARK


@pytest.fixture(scope="module")
def defs():
    from orchestration.definitions import defs

    return defs


def test_definitions_load_with_table_named_assets(defs) -> None:
    keys = set(defs.resolve_asset_graph().get_all_asset_keys())
    assert AssetKey(["raw_orders", "orders"]) in keys
    assert AssetKey(["staging", "stg_orders__orders"]) in keys
    assert AssetKey(["marts", "fct_orders"]) in keys
    assert AssetKey(["app", "streamlit"]) in keys
    assert defs.resolve_job_def("warehouse_pipeline") is not None


def test_assets_are_grouped_by_layer(defs) -> None:
    graph = defs.resolve_asset_graph()
    for key in graph.get_all_asset_keys():
        layer = key.path[0]
        expected = "raw" if layer.startswith("raw_") else layer
        assert graph.get(key).group_name == expected, key


def test_the_app_reads_every_mart(defs) -> None:
    graph = defs.resolve_asset_graph()
    marts = {key for key in graph.get_all_asset_keys() if key.path[0] == "marts"}
    app = graph.get(AssetKey(["app", "streamlit"]))
    assert marts and app.parent_keys == marts
    assert not app.is_executable


def test_dbt_tests_and_gx_suites_are_asset_checks(defs) -> None:
    checks = {key.to_user_string() for key in defs.resolve_asset_graph().asset_check_keys}
    assert "marts/fct_orders:unique_fct_orders_order_id" in checks  # a dbt test
    assert "marts/fct_orders:great_expectations" in checks
    assert "raw_orders/order_lines:great_expectations" in checks


def _source_assets(defs) -> list[AssetsDefinition]:
    return [
        assets
        for assets in defs.resolve_asset_graph().assets_defs
        if assets.keys and all(key.path[0].startswith("raw_") for key in assets.keys)
    ]


def test_every_source_step_retries_runs_alone_and_has_a_freshness_policy(defs) -> None:
    sources = _source_assets(defs)
    assert sources
    for assets in sources:
        (schema,) = {key.path[0] for key in assets.keys}
        assert assets.op.pool == schema, f"{assets.op.name} must run in pool {schema}"
        assert getattr(assets.op.compute_fn.decorated_fn, RETRIES_MARK, False), (
            f"{assets.op.name}: decorate it with orchestration.retries.retry_with_backoff"
        )
        for spec in assets.specs:
            assert spec.freshness_policy is not None, spec.key


def test_schedules_and_the_failure_sensor(defs) -> None:
    assert {(s.name, s.job_name) for s in defs.schedules} == {
        ("crm_hourly", "crm_incremental"),
        ("nightly_pipeline", "warehouse_pipeline"),
        ("monthly_close_reminder", "period_close_reminder"),
        ("nightly_backup", "warehouse_backup"),
    }
    assert sorted(s.name for s in defs.sensors) == [
        "alert_on_run_failure",
        "close_request_closed",
        "close_request_failed",
        "close_requested_periods",
    ]


def test_dbt_writes_into_this_sessions_own_target_folder() -> None:
    """tests/conftest.py gives the session a dbt target folder of its own (DBT_TARGET_PATH), so
    sessions side by side never write each other's manifest: every component must use it."""
    from orchestration.resources import DBT_TARGET_DIR, dbt_project, dbt_target_for_connection

    assert Path(os.environ["DBT_TARGET_PATH"]) == DBT_TARGET_DIR
    assert DBT_TARGET_DIR.name == f"test-session-{os.getpid()}"
    assert dbt_project.manifest_path == DBT_TARGET_DIR / "manifest.json"
    assert dbt_target_for_connection("scenario").parent == DBT_TARGET_DIR
