"""The incentives' Dagster pieces are in the one Definitions, under the names the docs use."""

from __future__ import annotations

from dagster import AssetKey


def test_plans_load_and_the_closed_months_are_defined() -> None:
    from orchestration.definitions import defs
    from orchestration.defs.incentives.period_close import PERIOD_CLOSE_JOB_NAME
    from orchestration.defs.jobs import PIPELINE_JOB_NAME

    keys = set(defs.resolve_asset_graph().get_all_asset_keys())
    assert AssetKey(["raw_plans", "plan_versions"]) in keys
    assert AssetKey(["raw_plans", "credit_splits"]) in keys
    assert AssetKey(["marts", "fct_payouts"]) in keys
    job = defs.resolve_job_def(PERIOD_CLOSE_JOB_NAME)
    partitions = job.partitions_def
    assert partitions is not None
    assert "2026-01" in partitions.get_partition_keys()
    # the closed months are the monthly partitions of the store's four tables; only the close
    # job materializes them, never the pipeline
    store = {AssetKey(["incentives_closed", t]) for t in ("closed_periods", "payouts")}
    assert store <= set(job.asset_layer.executable_asset_keys)
    graph = defs.resolve_asset_graph()
    assert all(graph.get(key).partitions_def == partitions for key in store)
    pipeline = defs.resolve_job_def(PIPELINE_JOB_NAME)
    assert not store & set(pipeline.asset_layer.executable_asset_keys)
