"""Incentives commands: close a commission period, and export a rep's statement.

    python -m orchestration.incentives close-period 2026-01      # make close-period PERIOD=2026-01
    python -m orchestration.incentives close-period 2026-01..2026-10   # one build for the range
    python -m orchestration.incentives statement 101 2026-01 --format html --out statements/

Closing runs the Dagster job `close_commission_period` for that monthly partition (or range),
recorded in the instance at `DAGSTER_HOME` like any run. A statement lists every line of the
rep's period with its source and rule, exactly as `marts.fct_commission_lines` holds it, and the
payout's totals.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import html
import sys
from pathlib import Path

import psycopg2
from dagster import DagsterInstance
from dagster._core.storage.tags import (
    ASSET_PARTITION_RANGE_END_TAG,
    ASSET_PARTITION_RANGE_START_TAG,
)

from ingestion.platform.warehouse_url import WarehouseError, export_environment

# A statement shows every column of a frozen line (the mart's contract) but these: the line's key
# and the rep, which the statement is for.
NOT_ON_STATEMENT = ("commission_line_id", "rep_id")
PAYOUT_TOTALS = (
    "status",
    "gross_commission_amount",
    "bonus_amount",
    "clawback_amount",
    "draw_amount",
    "recovery_amount",
    "adjustment_amount",
    "net_payout_amount",
    "points",
)


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


def statement_rows(
    url: str, rep_id: str, period_start: dt.date
) -> tuple[list[str], list[dict], dict]:
    """The statement's columns, the rep-period's lines (ordered by source) and its totals."""
    from orchestration.defs.incentives.period_close import frozen_columns

    with psycopg2.connect(url) as conn, conn.cursor() as cur:
        columns = [c for c in frozen_columns(cur, "commission_lines") if c not in NOT_ON_STATEMENT]
        cur.execute(
            f"select {', '.join(columns)} from marts.fct_commission_lines"
            " where rep_id = %s and period_start = %s"
            " order by source_date, source_type, source_id, rule",
            (rep_id, period_start),
        )
        lines = [dict(zip(columns, row, strict=True)) for row in cur.fetchall()]
        cur.execute(
            f"select {', '.join(PAYOUT_TOTALS)} from marts.fct_payouts"
            " where rep_id = %s and period_start = %s",
            (rep_id, period_start),
        )
        found = cur.fetchone()
    totals = dict(zip(PAYOUT_TOTALS, found, strict=True)) if found else {}
    return columns, lines, totals


def _text(value: object) -> str:
    """Decimals print exactly as stored (never through float); nulls as empty cells."""
    return "" if value is None else str(value)


def write_csv(path: Path, columns: list[str], lines: list[dict]) -> None:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(columns)
        for line in lines:
            writer.writerow([_text(line[column]) for column in columns])


def write_html(
    path: Path, rep_id: str, period: str, columns: list[str], lines: list[dict], totals: dict
) -> None:
    cells = "".join(f"<th>{html.escape(column)}</th>" for column in columns)
    body = "\n".join(
        "<tr>"
        + "".join(f"<td>{html.escape(_text(line[column]))}</td>" for column in columns)
        + "</tr>"
        for line in lines
    )
    summary = "".join(
        f"<tr><th>{html.escape(key)}</th><td>{html.escape(_text(value))}</td></tr>"
        for key, value in totals.items()
    )
    path.write_text(
        "<!doctype html>\n<html><head><meta charset='utf-8'>"
        f"<title>Commission statement {html.escape(rep_id)} {period}</title>"
        "<style>body{font-family:sans-serif}td,th{padding:2px 8px;border-bottom:1px solid #ddd}"
        "td{text-align:right}</style></head><body>"
        f"<h1>Commission statement: rep {html.escape(rep_id)}, period {period}</h1>"
        f"<table>{summary}</table><h2>Lines</h2><table><tr>{cells}</tr>\n{body}</table>"
        "</body></html>\n",
        encoding="utf-8",
    )


def export_statement(url: str, rep_id: str, period: str, fmt: str, out: Path) -> Path:
    """Write the statement file and return its path."""
    period_start = dt.datetime.strptime(period, "%Y-%m").date()
    columns, lines, totals = statement_rows(url, rep_id, period_start)
    if not lines and not totals:
        raise ValueError(f"rep {rep_id} has no commission lines or payout in {period}")
    out.mkdir(parents=True, exist_ok=True)
    path = out / f"statement_{rep_id}_{period}.{fmt}"
    if fmt == "csv":
        write_csv(path, columns, lines)
    else:
        write_html(path, rep_id, period, columns, lines, totals)
    return path


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m orchestration.incentives")
    commands = parser.add_subparsers(dest="command", required=True)
    close = commands.add_parser("close-period", help="freeze a commission period")
    close.add_argument("period", help="the month, YYYY-MM, or a range, YYYY-MM..YYYY-MM")
    statement = commands.add_parser("statement", help="export a rep's statement for a period")
    statement.add_argument("rep_id")
    statement.add_argument("period", help="the month, YYYY-MM")
    statement.add_argument("--format", choices=["csv", "html"], default="html")
    statement.add_argument("--out", type=Path, default=Path("statements"))
    args = parser.parse_args(argv)
    try:
        url = export_environment()
        if args.command == "close-period":
            return close_period(args.period)
        path = export_statement(url, args.rep_id, args.period, args.format, args.out)
    except (WarehouseError, ValueError) as exc:
        print(f"incentives: {exc}", file=sys.stderr)
        return 1
    print(f"statement: {path}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
