"""The plans source loads the demo folder into `raw_plans` with exact numeric columns."""

from __future__ import annotations

from decimal import Decimal

from ingestion.pipelines import raw_pipeline
from ingestion.sources.commission_plans import commission_plans


def test_plans_load_exactly_and_reload_without_duplicates(warehouse_url, query) -> None:
    for _ in range(2):
        raw_pipeline("plans").run(commission_plans(folder="ingestion/demo/plans"))
    versions = query(
        "select plan_id, plan_version, default_rate from raw_plans.plan_versions order by 1, 2"
    )
    assert versions == [
        ("field_sales", 1, Decimal("0.0300")),
        ("field_sales", 2, Decimal("0.0300")),
        ("sales_managers", 1, Decimal("0.0200")),
    ]
    types = dict(
        query(
            "select column_name, data_type || coalesce('(' || numeric_precision || ','"
            " || numeric_scale || ')', '') from information_schema.columns"
            " where table_schema = 'raw_plans' and table_name = 'plan_versions'"
        )
    )
    assert types["draw_monthly_amount"] == "numeric(18,2)"
    assert types["accelerator_multiplier"] == "numeric(9,4)"
    splits = query(
        "select deal_id, rep_id, credit_share from raw_plans.credit_splits order by 1, 2"
    )
    assert splits == [
        ("9000001", "70000002", Decimal("0.6000")),
        ("9000001", "70000003", Decimal("0.4000")),
        ("9000002", "70000003", Decimal("0.5000")),
        ("9000002", "70000004", Decimal("0.5000")),
    ]
