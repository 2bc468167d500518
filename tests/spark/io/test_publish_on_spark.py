"""Marts built on Spark published into the app's PostgreSQL: a real Spark table (written by
pyspark, exact decimals) copied into `marts`, read back to the cent, with the app's grants and
row-level security applied (a rep sees only their rows), on a copy of the tiny company's
incentive warehouse (roles, viewers, `dim_reps`)."""

from __future__ import annotations

import hashlib
import uuid
from datetime import UTC, date, datetime
from decimal import Decimal

import psycopg2
import pytest
from fixtures.incentive_warehouse import PLANS, copied_warehouse

from orchestration.spark_publish import (
    ContractColumn,
    ContractedMart,
    PublishError,
    contracted_marts,
    publish_spark_marts,
    spark_session,
)

pytestmark = pytest.mark.spark

OID = "select 'marts.fct_payouts'::regclass::oid"

SPARK_TYPES = {
    "text": "string",
    "integer": "int",
    "bigint": "bigint",
    "date": "date",
    "timestamptz": "timestamp",
}
# a closed payout's close time; pyspark takes naive datetimes as local ones (the test runs in UTC)
CLOSED_AT = datetime(2026, 2, 1, 9, 30)
# Two payouts, one for rep 102 and one for 103 (neither manages anyone), January 2026:
# 102: 1234.56 gross + 100.05 bonus - 34.56 clawback = 1300.05 net
# 103: 0.01 gross, nothing else = 0.01 net
PAYOUTS = {
    "102": {
        "gross_commission_amount": "1234.56",
        "bonus_amount": "100.05",
        "clawback_amount": "-34.56",
        "net_payout_amount": "1300.05",
    },
    "103": {"gross_commission_amount": "0.01", "net_payout_amount": "0.01"},
}


def _spark_type(data_type: str) -> str:
    return SPARK_TYPES.get(data_type, data_type.replace("numeric", "decimal").replace(" ", ""))


def _row(mart: ContractedMart, rep_id: str, amounts: dict[str, str]) -> tuple:
    values = []
    for column in mart.columns:
        if column.name in amounts:
            values.append(Decimal(amounts[column.name]))
        elif column.data_type.startswith("numeric"):
            values.append(Decimal("0.00"))
        elif column.name == "payout_id":
            values.append(f"payout-{rep_id}")
        elif column.name == "rep_id":
            values.append(rep_id)
        elif column.name == "period_start":
            values.append(date(2026, 1, 1))
        elif column.name == "payout_currency":
            values.append("CNY")
        elif column.data_type == "timestamptz":
            values.append(CLOSED_AT)
        elif column.data_type in ("integer", "bigint"):
            values.append(1)
        else:
            values.append(None if not column.not_null else "x")
    return tuple(values)


def _viewer(rep_id: str) -> str:
    return "spw_v_" + hashlib.md5(rep_id.encode()).hexdigest()[:16]  # noqa: S324 (the role's name)


def _read(url: str, sql: str, role: str | None = None) -> list[tuple]:
    with psycopg2.connect(url) as conn, conn.cursor() as cur:
        if role:
            cur.execute("select set_config('role', %s, true)", (role,))
        cur.execute(sql)
        return cur.fetchall()


def test_a_spark_mart_is_published_exactly_and_stays_row_secured(
    monkeypatch, tmp_path, warehouse_url, incentive_template, own_spark_environment, utc_process
) -> None:
    label = f"spw_publish_{uuid.uuid4().hex[:8]}"
    with copied_warehouse(warehouse_url, incentive_template, label, tmp_path, PLANS) as (url, _):
        (payouts,) = [mart for mart in contracted_marts() if mart.name == "fct_payouts"]
        assert payouts.spark_schema == "marts_audit" and payouts.primary_key == ("payout_id",)
        with monkeypatch.context() as env:
            for name, value in own_spark_environment.items():
                env.setenv(name, value)
            env.setenv("SPARK_MASTER", "local[1]")
            spark = spark_session()
        try:
            schema = ", ".join(f"{c.name} {_spark_type(c.data_type)}" for c in payouts.columns)
            rows = [_row(payouts, rep, amounts) for rep, amounts in PAYOUTS.items()]
            spark.sql("create database if not exists marts_audit")
            spark.createDataFrame(rows, schema).write.format("parquet").saveAsTable(
                "marts_audit.fct_payouts"
            )
            # a new table, created from the contract: the PostgreSQL build's one is dropped first
            _read(url, "drop table marts.fct_payouts cascade; select 1")
            assert publish_spark_marts(url, spark, [payouts]) == {"fct_payouts": 2}
            created = _read(url, OID)
            # the existing contracted table again: truncated and filled, the same table kept
            assert publish_spark_marts(url, spark, [payouts]) == {"fct_payouts": 2}
            assert _read(url, OID) == created

            # a wider decimal than the contract's numeric(18, 2) is refused, not rounded
            spark.sql(
                "create table marts_audit.fct_wide using parquet as"
                " select cast(1.005 as decimal(18, 3)) as amount"
            )
            amount = ContractColumn("amount", "numeric(18, 2)", not_null=True)
            wide = ContractedMart("fct_wide", "marts_audit", (amount,), ())
            with pytest.raises(PublishError, match="3 places"):
                publish_spark_marts(url, spark, [wide])
        finally:
            spark.stop()

        # to the cent, with the contract's types; the close time the same instant
        closed = CLOSED_AT.replace(tzinfo=UTC)
        assert _read(
            url,
            "select rep_id, gross_commission_amount, bonus_amount, clawback_amount,"
            " net_payout_amount, closed_at from marts.fct_payouts order by rep_id",
        ) == [
            (
                "102",
                Decimal("1234.56"),
                Decimal("100.05"),
                Decimal("-34.56"),
                Decimal("1300.05"),
                closed,
            ),
            ("103", Decimal("0.01"), Decimal("0.00"), Decimal("0.00"), Decimal("0.01"), closed),
        ]
        assert _read(
            url,
            "select format_type(atttypid, atttypmod) from pg_attribute"
            " where attrelid = 'marts.fct_payouts'::regclass and attname = 'net_payout_amount'",
        ) == [("numeric(18,2)",)]
        # row-level security: each rep sees their own payout only; finance sees both
        assert _read(url, "select rep_id from marts.fct_payouts", _viewer("102")) == [("102",)]
        assert _read(url, "select rep_id from marts.fct_payouts", _viewer("103")) == [("103",)]
        assert len(_read(url, "select rep_id from marts.fct_payouts", "spw_finance")) == 2
        assert _read(
            url, "select relrowsecurity from pg_class where oid = 'marts.fct_payouts'::regclass"
        ) == [(True,)]
