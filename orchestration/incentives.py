"""Incentives commands: close a commission period, and export statements, payroll, accruals.

    python -m orchestration.incentives close-period 2026-01      # make close-period PERIOD=2026-01
    python -m orchestration.incentives close-period 2026-01..2026-10   # one build for the range
    python -m orchestration.incentives statement 101 2026-01 --format pdf --lang zh
    python -m orchestration.incentives payroll 2026-01 --format xlsx   # a closed month
    python -m orchestration.incentives accrual 2026-02                 # an open month

Closing runs the Dagster job `close_commission_period` for that monthly partition (or range),
recorded in the instance at `DAGSTER_HOME` like any run. A statement lists every line of the
rep's period with its source and rule, exactly as `marts.fct_commission_lines` holds it, and the
payout's totals.
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
from pathlib import Path

import psycopg2
from dagster import DagsterInstance
from dagster._core.storage.tags import (
    ASSET_PARTITION_RANGE_END_TAG,
    ASSET_PARTITION_RANGE_START_TAG,
)

from ingestion.platform.warehouse_url import WarehouseError, export_environment
from orchestration.exports.accruals import export_accruals
from orchestration.exports.payroll import export_payroll
from orchestration.exports.statement_files import FORMATS, export_statement


def period_range(period: str) -> tuple[str, str]:
    """The first and last month of `YYYY-MM` or `YYYY-MM..YYYY-MM`; ValueError naming the form."""
    first, _, last = period.partition("..")
    last = last or first
    try:
        start, end = (dt.datetime.strptime(month, "%Y-%m").date() for month in (first, last))
    except ValueError:
        raise ValueError(
            f"PERIOD={period}: give a month, YYYY-MM, or a range, YYYY-MM..YYYY-MM"
        ) from None
    if end < start:
        raise ValueError(f"PERIOD={period}: the range ends before it starts")
    return first, last


def refuse_open_predecessors(url: str, first: str) -> None:
    """Fail fast, before any run, when months before `first` are still open (the close job
    checks again under its lock)."""
    from orchestration.defs.incentives.period_close import (
        PeriodCloseError,
        open_periods_before,
        still_open_message,
    )

    period_start = dt.datetime.strptime(first, "%Y-%m").date()
    with psycopg2.connect(url) as conn, conn.cursor() as cur:
        earlier = open_periods_before(cur, period_start)
    if earlier:
        raise PeriodCloseError(still_open_message(earlier, period_start))


def close_period(period: str) -> int:
    """Run the period-close job for `period` (YYYY-MM, or a range YYYY-MM..YYYY-MM closed oldest
    first in one run); 0 when every month of it is now closed."""
    from orchestration.definitions import defs
    from orchestration.defs.incentives.period_close import PERIOD_CLOSE_JOB_NAME, PeriodCloseError

    first, last = period_range(period)
    try:
        refuse_open_predecessors(export_environment(), first)
    except PeriodCloseError as exc:
        print(f"close-period: {exc}", file=sys.stderr)
        return 1
    job = defs.resolve_job_def(PERIOD_CLOSE_JOB_NAME)
    with DagsterInstance.get() as instance:
        result = job.execute_in_process(
            instance=instance,
            tags={ASSET_PARTITION_RANGE_START_TAG: first, ASSET_PARTITION_RANGE_END_TAG: last},
            raise_on_error=False,
        )
    if result.success:
        print(f"close-period: {period} closed (run {result.run_id})", file=sys.stderr)
        return 0
    for event in result.get_step_failure_events():
        error = event.event_specific_data.error if event.event_specific_data else None
        while error is not None and error.cause is not None:
            error = error.cause
        if error is not None:
            print(f"close-period: {event.step_key}: {error.message.strip()}", file=sys.stderr)
    return 1


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m orchestration.incentives")
    commands = parser.add_subparsers(dest="command", required=True)
    close = commands.add_parser("close-period", help="freeze a commission period")
    close.add_argument("period", help="the month, YYYY-MM, or a range, YYYY-MM..YYYY-MM")
    statement = commands.add_parser("statement", help="export a rep's statement for a period")
    statement.add_argument("rep_id")
    statement.add_argument("period", help="the month, YYYY-MM")
    statement.add_argument("--format", choices=FORMATS, default="html")
    statement.add_argument("--lang", choices=["en", "zh"], default="en")
    statement.add_argument("--out", type=Path, default=Path("statements"))
    payroll = commands.add_parser("payroll", help="the payroll file of a closed month")
    payroll.add_argument("period", help="the month, YYYY-MM")
    payroll.add_argument("--format", choices=["csv", "xlsx"], default="csv")
    payroll.add_argument("--out", type=Path, default=Path("exports"))
    accrual = commands.add_parser("accrual", help="the accrual journal of an open month")
    accrual.add_argument("period", help="the month, YYYY-MM")
    accrual.add_argument("--out", type=Path, default=Path("exports"))
    args = parser.parse_args(argv)
    try:
        url = export_environment()
        if args.command == "close-period":
            return close_period(args.period)
        if args.command == "payroll":
            path, rows = export_payroll(url, args.period, args.format, args.out)
            print(f"payroll: {path} ({len(rows)} rows)", file=sys.stderr)
        elif args.command == "accrual":
            path, rows = export_accruals(url, args.period, args.out)
            print(f"accrual: {path} ({len(rows)} journal lines)", file=sys.stderr)
        else:
            path = export_statement(url, args.rep_id, args.period, args.format, args.out, args.lang)
            print(f"statement: {path}", file=sys.stderr)
    except (WarehouseError, ValueError, FileNotFoundError) as exc:
        print(f"{args.command}: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
