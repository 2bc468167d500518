"""The demo ships with its commission months closed up to two months before its today.

A finance user trying the README on the demo meets what a running company has: a history of
closed months and last month waiting for review, so `make close-period PERIOD=<last month>` and
a statement of a closed month work as written. `make pipeline` calls `close_demo_months` after a
successful run, in demo mode only (`ingestion.source_settings.demo_mode`; one's own months are
finance's to close). It closes every open month up to the target in one range close (one rebuild
of the incentive marts), and does nothing when they are closed already, so a rerun costs one
query.

The demo's today is its clock (`make demo-advance` moves it), else the calendar's.
"""

from __future__ import annotations

import datetime as dt
import sys
import time

import psycopg2

from ingestion.source_settings import demo_mode
from orchestration.defs.incentives.period_close import open_periods_before

# Months before the demo's today's month left open: last month stays for the README's close.
MONTHS_LEFT_OPEN = 2


def demo_today() -> dt.date:
    """The demo's clock (its sources show everything before it), else today's date."""
    from ingestion.demo import state as demo_state

    current = demo_state.load()
    return current.as_of_moment.date() if current else dt.date.today()


def last_month_to_close(today: dt.date) -> dt.date:
    """The first day of the month `MONTHS_LEFT_OPEN` months before `today`'s month."""
    months = today.year * 12 + today.month - 1 - MONTHS_LEFT_OPEN
    return dt.date(months // 12, months % 12 + 1, 1)


def months_to_close(url: str, through: dt.date) -> tuple[dt.date, dt.date] | None:
    """The first open month and `through`, or None when every month up to it is closed (or no
    payout exists yet)."""
    after = (through + dt.timedelta(days=32)).replace(day=1)
    with psycopg2.connect(url) as conn, conn.cursor() as cur:
        cur.execute("select to_regclass('marts.fct_payouts') is not null")
        (built,) = cur.fetchone()
        still_open = open_periods_before(cur, after) if built else []
    conn.close()
    return (still_open[0], through) if still_open else None


def close_demo_months(url: str) -> int:
    """In demo mode, close the demo's open months up to two months ago; 0 when they are closed."""
    if not demo_mode():
        return 0
    from orchestration.incentives import close_period

    through = last_month_to_close(demo_today())
    span = months_to_close(url, through)
    if span is None:
        print(f"pipeline: demo months up to {through:%Y-%m} are closed", file=sys.stderr)
        return 0
    started = time.monotonic()
    period = f"{span[0]:%Y-%m}..{span[1]:%Y-%m}"
    status = close_period(period)
    if status == 0:
        print(
            f"pipeline: closed the demo's months {period} in {time.monotonic() - started:.0f}s",
            file=sys.stderr,
        )
    return status
