"""The pipeline job end to end against real PostgreSQL: demo sources -> dlt -> dbt -> marts."""

from __future__ import annotations

from decimal import Decimal


def test_the_pipeline_succeeds(pipeline_run, pipeline_rerun) -> None:
    assert pipeline_run.result.success
    assert pipeline_rerun.success


def test_orders_mart_holds_hand_computed_amounts(pipeline_run, query) -> None:
    rows = query("select order_id, gross_amount, net_amount from marts.fct_orders order by 1")
    # the tiny company's order lines (tests/fixtures/README.md), quantity x unit price:
    assert rows == [
        # 2 x 12000.00 + 1 x 3000.00; R001 refunds line L002's 3000.00: nets to 24000.00
        ("O001", Decimal("27000.00"), Decimal("24000.00")),
        ("O002", Decimal("3600.00"), Decimal("3600.00")),  # 3 x 1200.00
        ("O003", Decimal("3000.00"), Decimal("0.00")),  # 1 x 3000.00, cancelled: nets to 0
        ("O004", Decimal("2000.00"), Decimal("2000.00")),  # USD: 1 x 1600.00 + 2 x 200.00
        ("O005", Decimal("6000.00"), Decimal("6000.00")),  # 5 x 1200.00
        ("O006", Decimal("8000.00"), Decimal("8000.00")),  # 1 x 8000.00
        ("O007", Decimal("30000.00"), Decimal("30000.00")),  # 2 x 12000.00 + 2 x 3000.00
        ("O008", Decimal("3000.00"), Decimal("3000.00")),  # 1 x 3000.00
        ("O009", Decimal("11500.00"), Decimal("11500.00")),  # 10 x 1150.00
        ("O010", Decimal("5800.00"), Decimal("5800.00")),  # 2 x 2900.00
        ("O011", Decimal("4800.00"), Decimal("4800.00")),  # 4 x 1200.00
        ("O012", Decimal("420.00"), Decimal("420.00")),  # USD: 1 x 420.00
    ]


def test_a_second_run_leaves_marts_identical(pipeline_run, pipeline_rerun, marts_snapshot) -> None:
    after_first = pipeline_run.marts
    assert after_first
    assert marts_snapshot() == after_first


def test_a_second_run_loads_no_new_rows(pipeline_rerun, query) -> None:
    rows = query("select count(*), count(distinct order_line_id) from raw_orders.order_lines")
    assert rows == [(15, 15)]  # L001..L015, each once
