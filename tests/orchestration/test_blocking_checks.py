"""Why the paying marts go through write-audit-publish: dbt's own test blocking is too late.

`dbt build` replaces a model's table and only then runs its tests; a failing test skips what is
downstream but the bad table is already the one everybody reads. Verified here on the real
pipeline's warehouse (restored afterwards), so the claim in `publish.py` stays true; then the
same kind of broken row is stopped by the blocking checks before the payout marts.
"""

from __future__ import annotations

import os
import subprocess

import pytest
from fixtures.incentive_warehouse import dbt_on_warehouse

# `make test-e2e` (CI runs it): rebuilds parts of the session's pipeline warehouse and runs the
# pipeline job again on it, end to end.
pytestmark = pytest.mark.e2e


def _dbt_build(select: str) -> subprocess.CompletedProcess[str]:
    # a full refresh: the raw row below is changed in place, without the new load that
    # incremental models (fct_orders) follow
    return dbt_on_warehouse(
        "build",
        "--full-refresh",
        "--select",
        select,
        env=os.environ,
        capture_output=True,
        text=True,
        timeout=300,
    )


def test_dbt_replaces_a_table_before_its_failing_test_runs(pipeline_run, query) -> None:
    first = pipeline_run.result
    assert first.success
    (order_id, status) = query("select order_id, status from raw_orders.orders order by 1 limit 1")[
        0
    ]
    # The broken row: a status the mart's accepted_values test refuses. (A duplicate key would not
    # do: the contract's primary key makes Postgres refuse the new table before dbt swaps it in.)
    query(
        "update raw_orders.orders set status = 'lost_in_transit' where order_id = %s", (order_id,)
    )
    try:
        failed = _dbt_build("int_orders_enriched fct_orders")
        assert failed.returncode == 1
        assert "FAIL 1 accepted_values_fct_orders_status" in failed.stdout
        # dbt's blocking came too late: the table holding the bad row is already in place.
        assert query("select status from marts.fct_orders where order_id = %s", (order_id,)) == [
            ("lost_in_transit",)
        ]
    finally:
        query("update raw_orders.orders set status = %s where order_id = %s", (status, order_id))
        assert _dbt_build("int_orders_enriched fct_orders").returncode == 0
    assert query("select count(*) from marts.fct_orders where status = 'lost_in_transit'") == [(0,)]


def _published(query) -> dict[str, list[tuple]]:
    return {
        table: query(f"select * from marts.{table} order by 1")
        for table in ("fct_commission_lines", "fct_payouts")
    }


def test_a_broken_plan_row_never_reaches_the_payout_marts(pipeline_run, query) -> None:
    from dagster import AssetKey, AssetSelection, DagsterInstance

    from orchestration.definitions import defs
    from orchestration.defs.jobs import PIPELINE_JOB_NAME
    from orchestration.defs.quality.publish import guarded_models

    models = guarded_models()
    if not models:
        pytest.skip("no guarded models in dbt_project yet (models/marts/incentives)")
    first = pipeline_run.result
    assert first.success
    before = _published(query)
    assert before["fct_commission_lines"] and before["fct_payouts"]
    # The broken row: one plan version's rates entered as percentages (15 for 15 %).
    plan_id, version = query(
        "select plan_id, plan_version from marts.fct_commission_lines where rule = 'base_rate'"
        " order by 1, 2 limit 1"
    )[0]
    percent = "{0} = {0} * 100 where plan_id = %s and plan_version::integer = %s"
    query(
        f"update raw_plans.plan_versions set {percent.format('default_rate')}", (plan_id, version)
    )
    query(
        f"update raw_plans.plan_product_line_rates set {percent.format('rate')}", (plan_id, version)
    )
    guarded = [AssetKey([schema, model]) for model in models for schema in ("marts_audit", "marts")]
    # The incentive chain's intermediate steps are tables: rebuild those the guarded marts read.
    graph = defs.resolve_asset_graph()
    upstream = AssetSelection.assets(*guarded).upstream().resolve(graph)
    selection = guarded + [key for key in upstream if key.path[0] == "intermediate"]
    try:
        with DagsterInstance.ephemeral() as instance:
            result = defs.resolve_job_def(PIPELINE_JOB_NAME).execute_in_process(
                instance=instance, asset_selection=selection, raise_on_error=False
            )
        assert not result.success
        failed = {event.step_key for event in result.get_step_failure_events()}
        assert failed == {"marts_audit__fct_commission_lines_great_expectations"}
        materialized = {e.asset_key.path[0] for e in result.get_asset_materialization_events()}
        assert materialized == {"intermediate", "marts_audit"}  # built, checked, never published
        assert query("select count(*) > 0 from marts_audit.fct_commission_lines where rate > 1")[0][
            0
        ]
        assert _published(query) == before  # the app and finance still read the good tables
    finally:
        restore = "{0} = {0} / 100 where plan_id = %s and plan_version::integer = %s"
        query(
            f"update raw_plans.plan_versions set {restore.format('default_rate')}",
            (plan_id, version),
        )
        query(
            f"update raw_plans.plan_product_line_rates set {restore.format('rate')}",
            (plan_id, version),
        )
        incentives = "path:models/intermediate/incentives path:models/marts/incentives"
        assert _dbt_build(incentives).returncode == 0
