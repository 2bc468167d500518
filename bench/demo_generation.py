"""Benchmark: generate the demo company at benchmark scale and copy it into PostgreSQL.

    .venv/bin/python bench/demo_generation.py [--scale 80]

Times each step (simulation, the visible tables, COPY into a throw-away orders database, the
finance and CRM export files, the HubSpot records) and prints the row counts at "today". Writes
nothing of the demo's own state: a separate state folder and database are used and dropped.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from ingestion.demo import orders_database  # noqa: E402
from ingestion.demo.crm_records import crm_data  # noqa: E402
from ingestion.demo.files import write_crm_exports, write_finance  # noqa: E402
from ingestion.demo.state import new_state  # noqa: E402
from ingestion.demo.views import orders_tables  # noqa: E402
from ingestion.platform.warehouse_url import (
    drop_database,
    ensure_database,
    warehouse_url,
    with_database,
)


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--scale", type=float, default=80.0)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    admin = with_database(warehouse_url(), "postgres")
    database = "demo_orders_bench"
    ensure_database(admin, database)
    timings: list[tuple[str, float]] = []
    started = time.monotonic()

    def step(label: str) -> None:
        nonlocal started
        timings.append((label, time.monotonic() - started))
        print(f"bench: {label} {timings[-1][1]:.1f}s", file=sys.stderr, flush=True)
        started = time.monotonic()

    with tempfile.TemporaryDirectory() as folder:
        os.environ["SPW_STATE_DIR"] = folder
        state = new_state(args.seed, args.scale, date.today())
        company = state.company()
        step("simulate the timeline")
        tables = orders_tables(company, state.as_of_seconds())
        step("orders tables as of today")
        orders_database.write(with_database(admin, database), tables, replace=True)
        step("COPY into PostgreSQL")
        write_finance(company, state.as_of_seconds(), Path(folder) / "finance")
        write_crm_exports(company, state.as_of_seconds(), Path(folder) / "crm_files")
        step("finance and CRM export files")
        crm = crm_data(company, state.as_of_seconds())
        step("HubSpot records")
    drop_database(admin, database)
    total = sum(seconds for _, seconds in timings)
    deals = int((company["deals"]["created_s"] <= state.as_of_seconds()).sum())
    print(
        f"\nscale {args.scale}: {deals:,} deals ({len(crm.objects['deals']):,} in HubSpot), "
        f"{len(tables['order_lines']):,} order lines, {len(tables['orders']):,} orders, "
        f"{len(tables['refunds']):,} refunds as of today; {total:.0f}s in all"
    )
    for label, seconds in timings:
        print(f"  {label:32s} {seconds:7.1f}s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
