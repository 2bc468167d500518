"""The pipeline job end to end against real PostgreSQL: demo sources -> dlt -> dbt -> marts."""

from __future__ import annotations

from decimal import Decimal


def test_the_pipeline_succeeds(pipeline_runs) -> None:
    first, second, _ = pipeline_runs
    assert first.success
    assert second.success


def test_orders_mart_holds_hand_computed_amounts(pipeline_runs, query) -> None:
    rows = query("select order_id, gross_amount, net_amount from marts.fct_orders order by 1")
    # O001: 2 x 12000.00 + 1 x 3000.00; O002: 1 x 11500.50; O003 cancelled: 3 x 3000.00 nets to 0
    assert rows == [
        ("O001", Decimal("27000.00"), Decimal("27000.00")),
        ("O002", Decimal("11500.50"), Decimal("11500.50")),
        ("O003", Decimal("9000.00"), Decimal("0.00")),
    ]


def test_a_second_run_leaves_marts_identical(pipeline_runs, marts_snapshot) -> None:
    _, _, after_first = pipeline_runs
    assert after_first
    assert marts_snapshot() == after_first


def test_a_second_run_loads_no_new_rows(pipeline_runs, query) -> None:
    rows = query("select count(*), count(distinct order_line_id) from raw_orders.order_lines")
    assert rows == [(4, 4)]
