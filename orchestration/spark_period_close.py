"""Closing a commission month on Spark (docs/spark.md, "Closing a month on Spark"): the same
guarantees as the PostgreSQL store (`orchestration/defs/incentives/period_close.py`), without
its transaction, lock or keys, which Spark's Parquet tables do not have.

- **Once per period partition.** The store's tables are partitioned by `period_start` (macro
  `spark__create_closed_periods_store`); a month is frozen by overwriting its own partition
  (`insert overwrite ... partition (period_start = ...)`) from the incentive marts' open rows, so
  no other month's files are touched.
- **The marker last.** `closed_periods` gets the month's row only after every partition is
  written: a close that dies half way leaves no marker, and the next close of that month
  overwrites the same partitions rather than adding to them.
- **Never overwritten.** A month with its marker is refused ("already closed", as on
  PostgreSQL), so a closed partition is never written again; months close in order.

One closer at a time: Spark has no lock to take here, so the close is run by one job (the
Dagster job or this command), never two at once.
"""

from __future__ import annotations

import argparse
import datetime as dt
import getpass
from collections.abc import Sequence
from typing import TYPE_CHECKING

from orchestration.defs.incentives.period_close import (
    FROZEN_TABLES,
    PERIOD_FORMAT,
    STORE_SCHEMA,
    PeriodCloseError,
    still_open_message,
)
from orchestration.defs.quality.publish import AUDIT_SCHEMA
from orchestration.spark_publish import spark_session

if TYPE_CHECKING:
    from pyspark.sql import SparkSession

PARTITION_COLUMN = "period_start"


def _partitioned_columns(spark: SparkSession, store: str) -> list[str]:
    """The store table's columns other than its partition column, in the table's order."""
    columns = spark.catalog.listColumns(f"{STORE_SCHEMA}.{store}")
    if not any(c.name == PARTITION_COLUMN and c.isPartition for c in columns):
        raise PeriodCloseError(
            f"{STORE_SCHEMA}.{store} on Spark is not partitioned by {PARTITION_COLUMN} (created by "
            "an earlier version): while no month is closed on Spark, drop the store's tables and "
            "let the next `dbt build --target spark` create them again"
        )
    return [c.name for c in columns if not c.isPartition]


def _open_periods_before(spark: SparkSession, period_start: dt.date) -> list[dt.date]:
    rows = spark.sql(
        f"select distinct period_start from {AUDIT_SCHEMA}.fct_payouts"
        " where status = 'open' and period_start < :period"
        f" and period_start not in (select period_start from {STORE_SCHEMA}.closed_periods)"
        " order by period_start",
        args={"period": period_start},
    ).collect()
    return [row.period_start for row in rows]


def freeze_period_on_spark(
    spark: SparkSession, period_start: dt.date, closed_by: str
) -> dict[str, int]:
    """Freeze the month's open rows of the incentive marts into its store partitions, then mark
    it closed; rows frozen per table."""
    already = spark.sql(
        f"select closed_at from {STORE_SCHEMA}.closed_periods where period_start = :period",
        args={"period": period_start},
    ).collect()
    if already:
        raise PeriodCloseError(
            f"period {period_start:%Y-%m} was already closed at {already[0].closed_at}"
        )
    earlier = _open_periods_before(spark, period_start)
    if earlier:
        raise PeriodCloseError(still_open_message(earlier, period_start))
    counts = {}
    for store, mart, is_open in FROZEN_TABLES:
        columns = ", ".join(f"`{name}`" for name in _partitioned_columns(spark, store))
        frozen = spark.sql(
            f"select {columns} from {AUDIT_SCHEMA}.{mart}"
            f" where period_start = :period and {is_open}",
            args={"period": period_start},
        )
        view = f"frozen_{store}"
        frozen.createOrReplaceTempView(view)
        spark.sql(
            f"insert overwrite table {STORE_SCHEMA}.{store}"
            f" partition ({PARTITION_COLUMN} = date'{period_start.isoformat()}')"
            f" select {columns} from {view}"
        )
        counts[store] = (
            spark.table(f"{STORE_SCHEMA}.{store}")
            .where(f"{PARTITION_COLUMN} = date'{period_start.isoformat()}'")
            .count()
        )
    spark.sql(
        f"insert into {STORE_SCHEMA}.closed_periods"
        " select :period, current_timestamp(), :closed_by",
        args={"period": period_start, "closed_by": closed_by},
    )
    return counts


def close_months_on_spark(spark: SparkSession, period: str, closed_by: str) -> dict[str, int]:
    """Freeze `period` (YYYY-MM, or a range YYYY-MM..YYYY-MM, oldest first); rows per table."""
    from orchestration.incentives import period_range

    first, last = (
        dt.datetime.strptime(month, PERIOD_FORMAT).date() for month in period_range(period)
    )
    totals: dict[str, int] = {}
    month = first
    while month <= last:
        for table, rows in freeze_period_on_spark(spark, month, closed_by).items():
            totals[table] = totals.get(table, 0) + rows
        print(f"close-period-spark: {month:%Y-%m} frozen")
        month = (month.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
    return totals


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        prog="make close-period-spark",
        description="Freeze commission months into the Spark store (docs/spark.md).",
    )
    parser.add_argument("period", help="the month, YYYY-MM, or a range, YYYY-MM..YYYY-MM")
    period = parser.parse_args(argv).period
    spark = spark_session()
    try:
        totals = close_months_on_spark(spark, period, f"{getpass.getuser()} (close-period-spark)")
        print(f"close-period-spark: frozen {totals}; now rebuild the incentive marts on Spark")
    finally:
        spark.stop()


if __name__ == "__main__":
    main()
