"""Closing months on Spark: the store created by dbt's hook (partitioned by month), the incentive
marts standing in as Spark tables of one rep (102) for January to March 2026, then the same
guarantees as tests/incentives/test_period_close.py checks on PostgreSQL: a month is frozen once,
a second close refuses and leaves it as frozen, months close in order, and a close that died half
way is completed without duplicates."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from orchestration.defs.incentives.period_close import FROZEN_TABLES, PeriodCloseError
from orchestration.spark_period_close import freeze_period_on_spark
from orchestration.spark_publish import spark_session

pytestmark = pytest.mark.spark

JANUARY, FEBRUARY, MARCH = (dt.date(2026, month, 1) for month in (1, 2, 3))
# every money column of a month's row holds the month's amount
AMOUNTS = {JANUARY: Decimal("100.10"), FEBRUARY: Decimal("200.20"), MARCH: Decimal("300.30")}


def _value(field, period: dt.date):
    kind = field.dataType.typeName()
    if field.name == "period_start":
        return period
    if field.name in ("status",):
        return "open"
    if field.name == "is_closed":
        return False
    return {
        "decimal": AMOUNTS[period],
        "string": "102",
        "integer": 1,
        "long": 1,
        "boolean": False,
        "date": period,
        "timestamp": dt.datetime(2026, 4, 1),
    }[kind]


def _write_marts(spark, amounts_of_january: Decimal | None = None) -> None:
    """The incentive marts on Spark: the store's columns and the mart's open flag, a row a month."""
    spark.sql("create database if not exists marts_audit")
    for store, mart, is_open in FROZEN_TABLES:
        flag = "'open' as status" if "status" in is_open else "false as is_closed"
        shape = spark.sql(f"select *, {flag} from incentives_closed.{store}").schema
        rows = [tuple(_value(f, period) for f in shape.fields) for period in AMOUNTS]
        if amounts_of_january is not None:  # later data changed January's figures
            rows[0] = tuple(
                amounts_of_january if f.dataType.typeName() == "decimal" else value
                for f, value in zip(shape.fields, rows[0], strict=True)
            )
        frame = spark.createDataFrame(rows, shape)
        frame.write.mode("overwrite").format("parquet").saveAsTable(f"marts_audit.{mart}")


def _frozen(spark, period: dt.date) -> list[Decimal]:
    rows = spark.sql(
        "select net_payout_amount from incentives_closed.payouts where period_start = :p",
        args={"p": period},
    ).collect()
    return [row.net_payout_amount for row in rows]


def test_a_month_closes_once_in_order_and_is_never_overwritten(
    monkeypatch, own_spark_environment, dbt_command, utc_process
) -> None:
    created = dbt_command(
        "spark", own_spark_environment, "run-operation", "create_closed_periods_store"
    )
    assert created.returncode == 0, created.stdout[-4000:]
    with monkeypatch.context() as env:
        for name, value in own_spark_environment.items():
            env.setenv(name, value)
        env.setenv("SPARK_MASTER", "local[1]")
        spark = spark_session()
    try:
        _write_marts(spark)
        counts = freeze_period_on_spark(spark, JANUARY, "test")
        assert counts == dict.fromkeys((store for store, *_ in FROZEN_TABLES), 1)
        assert _frozen(spark, JANUARY) == [Decimal("100.10")]

        # later data changes January in the marts: closing it again refuses, the store keeps it
        _write_marts(spark, amounts_of_january=Decimal("999.99"))
        with pytest.raises(PeriodCloseError, match="2026-01 was already closed"):
            freeze_period_on_spark(spark, JANUARY, "test")
        assert _frozen(spark, JANUARY) == [Decimal("100.10")]

        # March cannot close while February is open
        with pytest.raises(PeriodCloseError, match=r"earlier month\(s\) still open \(2026-02\)"):
            freeze_period_on_spark(spark, MARCH, "test")
        assert _frozen(spark, MARCH) == []

        # a close of February that died after writing a partition and before its marker
        stray = spark.table("incentives_closed.payouts").where("period_start = date'2026-01-01'")
        stray.drop("period_start").createOrReplaceTempView("stray")
        spark.sql(
            "insert into incentives_closed.payouts partition (period_start = date'2026-02-01')"
            " select * from stray"
        )
        assert len(_frozen(spark, FEBRUARY)) == 1  # the stray row
        freeze_period_on_spark(spark, FEBRUARY, "test")
        assert _frozen(spark, FEBRUARY) == [Decimal("200.20")]  # overwritten, not added to
        assert _frozen(spark, JANUARY) == [Decimal("100.10")]  # the other partition untouched
        closed = spark.sql("select period_start from incentives_closed.closed_periods").collect()
        assert sorted(row.period_start for row in closed) == [JANUARY, FEBRUARY]
    finally:
        spark.stop()
