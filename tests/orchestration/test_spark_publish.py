"""What `make publish-spark` publishes, read from dbt's manifest (no Spark needed here; the
publishing itself runs in tests/spark/io/test_publish_on_spark.py)."""

from __future__ import annotations

import pytest

from orchestration.spark_publish import contracted_marts, main


def test_every_contracted_mart_with_its_contract_types() -> None:
    marts = {mart.name: mart for mart in contracted_marts()}
    assert {"dim_reps", "fct_orders", "fct_payouts", "fct_commission_lines"} <= set(marts)
    payouts = marts["fct_payouts"]
    # built into the audit schema on Spark too (write-audit-publish), published into `marts`
    assert (payouts.spark_schema, marts["dim_reps"].spark_schema) == ("marts_audit", "marts")
    types = {column.name: column.data_type for column in payouts.columns}
    assert types["net_payout_amount"] == "numeric(18, 2)"
    assert payouts.primary_key == ("payout_id",)
    assert all(mart.columns for mart in marts.values())


def test_an_unknown_mart_is_named_before_spark_starts() -> None:
    with pytest.raises(SystemExit, match="no contracted mart named fct_nothing"):
        main(["--models", "fct_payouts,fct_nothing"])
