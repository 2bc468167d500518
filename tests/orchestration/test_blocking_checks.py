"""Why the paying marts go through write-audit-publish: dbt's own test blocking is too late.

`dbt build` replaces a model's table and only then runs its tests; a failing test skips what is
downstream but the bad table is already the one everybody reads. Verified here on the real
pipeline's warehouse (restored afterwards), so the claim in `publish.py` stays true.
"""

from __future__ import annotations

import os
import subprocess

from orchestration.resources import DBT_EXECUTABLE, DBT_PROJECT_DIR


def _dbt_build(select: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [
            str(DBT_EXECUTABLE),
            "build",
            "--select",
            select,
            "--project-dir",
            str(DBT_PROJECT_DIR),
            "--profiles-dir",
            str(DBT_PROJECT_DIR),
        ],
        env=os.environ,
        capture_output=True,
        text=True,
        timeout=300,
    )


def test_dbt_replaces_a_table_before_its_failing_test_runs(pipeline_runs, query) -> None:
    first, _, _ = pipeline_runs
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
        failed = _dbt_build("fct_orders")
        assert failed.returncode == 1
        assert "FAIL 1 accepted_values_fct_orders_status" in failed.stdout
        # dbt's blocking came too late: the table holding the bad row is already in place.
        assert query("select status from marts.fct_orders where order_id = %s", (order_id,)) == [
            ("lost_in_transit",)
        ]
    finally:
        query("update raw_orders.orders set status = %s where order_id = %s", (status, order_id))
        assert _dbt_build("fct_orders").returncode == 0
    assert query("select count(*) from marts.fct_orders where status = 'lost_in_transit'") == [(0,)]
