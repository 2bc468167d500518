"""Closed commission periods: monthly partitions of the closed-periods store.

The store (schema `incentives_closed`, created by dbt's on-run-start hook and never dropped) holds
the frozen lines, payouts, payments (in the currency paid, with the FX rate used) and points of
every closed month; its tables are one Dagster asset each, partitioned by month, so the UI shows
which months are closed and a month is closed by materializing its partition. Closing copies the
month's open rows of the published (checked) `marts.fct_commission_lines`, `fct_payouts`,
`fct_payout_payments` and `fct_incentive_points` into the store, then
rebuilds and tests the incentive models (dbt writes them to `marts_audit`), runs their blocking
quality suites, and publishes them to `marts`, which now read the month back from the store. From
then on later data cannot rewrite the month: it produces `adjustment:` lines in the next open
month. Months close in order, each once; a backfill of several months closes them in one run,
oldest first, with one rebuild at the end.

The incentive marts themselves are not partitioned: a month's payout depends on the months before
it (draw recoveries, adjustments of closed months), so the open months are computed together by
every build, and the closed ones are these frozen partitions.

Run it with `make close-period PERIOD=YYYY-MM` (or a range, `PERIOD=YYYY-MM..YYYY-MM`) after the
pipeline has built the marts.
"""

import datetime as dt
from collections.abc import Iterator
from typing import Any

import psycopg2
from dagster import (
    AssetExecutionContext,
    AssetKey,
    AssetSelection,
    AssetSpec,
    BackfillPolicy,
    MaterializeResult,
    MonthlyPartitionsDefinition,
    define_asset_job,
    multi_asset,
)
from dagster_dbt import DbtCliResource

from ingestion.platform.warehouse_url import warehouse_url
from orchestration.defs.quality.guard import require_audited_suites_pass
from orchestration.defs.quality.publish import AUDIT_SCHEMA, publish_tables
from orchestration.resources import ensure_dbt_manifest

PERIOD_CLOSE_JOB_NAME = "close_commission_period"
PERIOD_FORMAT = "%Y-%m"
monthly_periods = MonthlyPartitionsDefinition(start_date="2020-01", fmt=PERIOD_FORMAT, end_offset=1)

# store table, mart, and the mart's test for a row of an open period; the columns frozen are the
# store table's, which dbt creates from the mart's contract (macro create_closed_periods_store)
INCENTIVE_MARTS = (
    "fct_commission_lines",
    "fct_incentive_points",
    "fct_payouts",
    "fct_payout_payments",
    "fct_commission_accruals",
)
FROZEN_TABLES = (
    ("commission_lines", "fct_commission_lines", "not is_closed"),
    ("payouts", "fct_payouts", "status = 'open'"),
    ("payout_payments", "fct_payout_payments", "status = 'open'"),
    ("incentive_points", "fct_incentive_points", "not is_closed"),
)

STORE_SCHEMA = "incentives_closed"
STORE_TABLES = (
    "closed_periods",
    "commission_lines",
    "payouts",
    "payout_payments",
    "incentive_points",
)


class PeriodCloseError(RuntimeError):
    """The period cannot be closed; the message says why and what to do."""


def frozen_columns(cur: Any, table: str) -> list[str]:
    """The columns of a store table in order: those of its mart's contract, as dbt created it,
    so nothing here repeats the contract."""
    cur.execute(
        "select column_name from information_schema.columns"
        " where table_schema = %s and table_name = %s order by ordinal_position",
        (STORE_SCHEMA, table),
    )
    columns = [name for (name,) in cur.fetchall()]
    if not columns:
        raise ValueError(
            f"{STORE_SCHEMA}.{table} does not exist: run `make pipeline` first (dbt creates the"
            " closed-periods store before its first build)"
        )
    return columns


def _require_published_build(cur: Any, period_start: dt.date) -> None:
    """Refuse to freeze anything but the latest build: the period's lines published in `marts`
    must be exactly those dbt last built (and tested) in `marts_audit`. They differ when a
    blocking check stopped the publish step, or a build ran after it."""
    columns = ", ".join(frozen_columns(cur, "commission_lines"))
    cur.execute(
        f"""
        select count(*) from (
            (select {columns}, is_closed from marts.fct_commission_lines
             where period_start = %(period)s
             except all
             select {columns}, is_closed from {AUDIT_SCHEMA}.fct_commission_lines
             where period_start = %(period)s)
            union all
            (select {columns}, is_closed from {AUDIT_SCHEMA}.fct_commission_lines
             where period_start = %(period)s
             except all
             select {columns}, is_closed from marts.fct_commission_lines
             where period_start = %(period)s)
        ) as differing
        """,
        {"period": period_start},
    )
    (differing,) = cur.fetchone()
    if differing:
        raise PeriodCloseError(
            f"the published lines of {period_start:%Y-%m} differ from the latest build in"
            f" {AUDIT_SCHEMA} ({differing} rows): a blocking check failed or the build is newer"
            " than the publish. Run `make pipeline` until it succeeds, review, then close."
        )


def open_periods_before(cur: Any, period_start: dt.date) -> list[dt.date]:
    """The open months before `period_start`, oldest first: those with a payout the marts show as
    open and the store has not frozen since (a range close freezes several months before the
    marts are rebuilt once). Months before the incentives start month (dbt var
    `incentives_start_month`) have no payouts, so they never need closing."""
    cur.execute(
        "select distinct period_start from marts.fct_payouts"
        " where status = 'open' and period_start < %s"
        " and period_start not in (select period_start from incentives_closed.closed_periods)"
        " order by period_start",
        (period_start,),
    )
    return [earlier for (earlier,) in cur.fetchall()]


def still_open_message(earlier: list[dt.date], period_start: dt.date) -> str:
    """Why `period_start` cannot close yet, naming the months to close first and the command
    that closes them all, oldest first, in one run."""
    months = ", ".join(f"{month:%Y-%m}" for month in earlier)
    return (
        f"cannot close {period_start:%Y-%m}: {len(earlier)} earlier month(s) still open ({months});"
        " months close in order. Close them first, or all at once: make close-period"
        f" PERIOD={earlier[0]:%Y-%m}..{period_start:%Y-%m}"
    )


def freeze_period(url: str, period_start: dt.date, closed_by: str) -> dict[str, int]:
    """Copy the period's open mart rows into the store in one transaction; counts per table."""
    with psycopg2.connect(url) as conn, conn.cursor() as cur:
        cur.execute("lock table incentives_closed.closed_periods in exclusive mode")
        cur.execute(
            "select closed_at from incentives_closed.closed_periods where period_start = %s",
            (period_start,),
        )
        already = cur.fetchone()
        if already:
            closed_at = already[0]
            raise PeriodCloseError(f"period {period_start:%Y-%m} was already closed at {closed_at}")
        earlier = open_periods_before(cur, period_start)
        if earlier:
            raise PeriodCloseError(still_open_message(earlier, period_start))
        _require_published_build(cur, period_start)
        cur.execute(
            "insert into incentives_closed.closed_periods (period_start, closed_at, closed_by)"
            " values (%s, now(), %s)",
            (period_start, closed_by),
        )
        counts = {}
        for store, mart, is_open in FROZEN_TABLES:
            columns = ", ".join(frozen_columns(cur, store))
            cur.execute(
                f"insert into incentives_closed.{store} ({columns}) select {columns}"
                f" from marts.{mart} where period_start = %s and {is_open}",
                (period_start,),
            )
            counts[store] = cur.rowcount
        counts["payout_payments"] += _freeze_payments_closed_before(cur)
        return counts


def _freeze_payments_closed_before(cur: Any) -> int:
    """Freeze the payments of months closed before the store froze payments (a store created
    by an earlier version has the table empty): as the marts convert them now."""
    columns = ", ".join(frozen_columns(cur, "payout_payments"))
    cur.execute(
        f"insert into incentives_closed.payout_payments ({columns}) select {columns}"
        " from marts.fct_payout_payments as paid where paid.status = 'closed' and not exists ("
        " select from incentives_closed.payout_payments as frozen"
        " where frozen.rep_id = paid.rep_id and frozen.period_start = paid.period_start)"
    )
    return cur.rowcount


def rebuild_incentive_marts(dbt: DbtCliResource, run_id: str) -> dict[str, int]:
    """Rebuild, test, check and publish the incentive marts so they show the closed months."""
    selection = "path:models/intermediate/incentives path:models/marts/incentives"
    ensure_dbt_manifest(for_dbt_run=True)
    dbt.cli(
        ["build", "--select", selection, "--exclude-resource-type", "unit_test"],
        raise_on_error=True,
    ).wait()
    require_audited_suites_pass(INCENTIVE_MARTS, run_id)
    return publish_tables(warehouse_url(), INCENTIVE_MARTS)


@multi_asset(
    name="close_commission_periods",
    specs=[
        AssetSpec(
            key=AssetKey([STORE_SCHEMA, table]),
            group_name=STORE_SCHEMA,
            kinds={"postgres"},
            description=f"Frozen {table.replace('_', ' ')} of closed commission months.",
        )
        for table in STORE_TABLES
    ],
    partitions_def=monthly_periods,
    backfill_policy=BackfillPolicy.single_run(),
)
def closed_commission_periods(
    context: AssetExecutionContext, dbt: DbtCliResource
) -> Iterator[MaterializeResult]:
    """Close the partitions' months, oldest first: freeze each (each checks the one before it is
    closed), then rebuild and publish the incentive marts once. One build serves every month of
    the range: freezing a month changes none of the figures of the months after it (a closed
    month is read back exactly as frozen), so the rebuild is needed only to show them closed."""
    frozen = dict.fromkeys(STORE_TABLES, 0)
    try:
        for key in sorted(context.partition_keys):
            period_start = dt.datetime.strptime(key, PERIOD_FORMAT).date()
            counts = freeze_period(warehouse_url(), period_start, f"dagster run {context.run_id}")
            context.log.info(f"closed {key}: froze {counts}")
            frozen["closed_periods"] += 1
            for table, rows in counts.items():
                frozen[table] += rows
    finally:
        if frozen["closed_periods"]:
            published = rebuild_incentive_marts(dbt, context.run_id)
            context.log.info(f"published {published}")
    for table, rows in frozen.items():
        yield MaterializeResult(
            asset_key=AssetKey([STORE_SCHEMA, table]), metadata={"rows_frozen": rows}
        )


close_commission_period = define_asset_job(
    name=PERIOD_CLOSE_JOB_NAME,
    selection=AssetSelection.groups(STORE_SCHEMA),
    partitions_def=monthly_periods,
    description="Close commission months (monthly partitions): freeze, rebuild, check, publish.",
)
