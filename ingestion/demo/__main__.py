"""`python -m ingestion.demo build|advance`: the demo company's sources beside the warehouse.

- `build [--seed N] [--scale X] [--today YYYY-MM-DD] [--rebuild]`: generate the company (dates
  relative to today), copy its orders into the demo orders database, write finance's files and
  the channel team's CRM exports, and start the demo CRM server. A built demo is reused as it is.
- `advance --days N`: move the demo clock N days: new leads, stage moves, orders and refunds.

`--scale 80` makes over 200,000 deals and 1,000,000 order lines up to today (benchmarks).
`--shards 10 --scale 80` makes ten such companies side by side (the XL benchmark,
`ingestion.demo.shards`), in the memory of one per `--jobs`; its CRM is served from PostgreSQL.
"""

from __future__ import annotations

import argparse
import sys
import time
from datetime import date

from ingestion.demo import orders_database
from ingestion.demo import shards as sharded
from ingestion.demo import state as demo_state
from ingestion.demo.crm_service import ensure_running
from ingestion.demo.files import write_crm_exports, write_finance
from ingestion.demo.settings import (
    DEFAULT_SEED,
    demo_crm_files_folder,
    demo_finance_folder,
    demo_orders_url,
    demo_plans_folder,
    write_demo_sources,
)
from ingestion.demo.views import orders_tables
from ingestion.platform.warehouse_url import (
    WarehouseError,
    database_of,
    ensure_database,
    with_database,
)
from ingestion.source_settings import demo_mode


def _say(started: float, message: str) -> None:
    print(f"demo: {message} ({time.monotonic() - started:.1f}s)", file=sys.stderr, flush=True)


def _counts(written: dict[str, int]) -> str:
    return ", ".join(f"{count:,} {name}" for name, count in written.items())


def _write_files(state: demo_state.DemoState) -> None:
    company, as_of = state.company(), state.as_of_seconds()
    write_finance(company, as_of, demo_finance_folder())
    write_crm_exports(company, as_of, demo_crm_files_folder())


def _write_settings(orders_url: str) -> None:
    """Point the pipeline's demo mode at these sources (`ingestion.source_settings`)."""
    write_demo_sources(
        {
            "orders_db": {"database": database_of(orders_url)},
            "crm_files": {"folder": str(demo_crm_files_folder())},
            "finance_files": {"folder": str(demo_finance_folder())},
            "commission_plans": {"folder": str(demo_plans_folder())},
        }
    )


def build(
    seed: int,
    scale: float,
    today: date,
    rebuild: bool,
    serve: bool = True,
    shards: int = 1,
    jobs: int = 1,
) -> None:
    started = time.monotonic()
    url = demo_orders_url()
    ensure_database(with_database(url, "postgres"), database_of(url))
    state = demo_state.load()
    if (
        state is not None
        and not rebuild
        and (state.seed, state.scale, state.shards) == (seed, scale, shards)
        and orders_database.has_rows(url)
    ):
        _say(started, f"reusing the demo company as of {state.as_of} (--rebuild to start over)")
    elif shards > 1:
        state = demo_state.new_state(seed, scale, today, shards)
        _say(started, f"simulating {shards} companies of scale {scale} from seed {seed}")
        written = sharded.build(state, url, demo_finance_folder(), demo_crm_files_folder(), jobs)
        demo_state.save(state)
        _say(started, f"sources written: {_counts(written)}")
    else:
        state = demo_state.new_state(seed, scale, today)
        _say(started, f"simulating the demo company (seed {seed}, scale {scale}, today {today})")
        company = state.company()
        _say(
            started,
            f"simulated {len(company['deals']):,} deals, "
            f"{len(company['order_lines']):,} order lines in the timeline",
        )
        written = orders_database.write(
            url, orders_tables(company, state.as_of_seconds()), replace=True
        )
        _say(started, f"orders database: copied {_counts(written)}")
        _write_files(state)
        demo_state.save(state)
        _say(started, f"files written to {demo_finance_folder().parent}")
    _write_settings(url)
    if serve:
        _say(started, f"CRM server answering on {ensure_running()}")


def advance(days: int, jobs: int = 1) -> None:
    started = time.monotonic()
    state = demo_state.load()
    if state is None:
        raise SystemExit("demo: no demo company yet: run `make demo` first")
    if state.shards > 1:
        folders = demo_finance_folder(), demo_crm_files_folder()
        later, written = sharded.advance(state, days, demo_orders_url(), *folders, jobs)
        demo_state.save(later)
        _say(started, f"upserted {_counts(written)}; the demo moved to {later.as_of}")
        return
    later = state.advanced(days)
    company = later.company()
    changed = orders_tables(company, later.as_of_seconds(), since=state.as_of_seconds())
    written = orders_database.write(demo_orders_url(), changed, replace=False)
    _say(started, f"orders database: upserted {_counts(written)}")
    _write_files(later)
    demo_state.save(later)
    _say(started, f"moved the demo from {state.as_of} to {later.as_of}; the CRM follows")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m ingestion.demo")
    commands = parser.add_subparsers(dest="command", required=True)
    build_parser = commands.add_parser("build", help="create (or reuse) the demo sources")
    build_parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
    build_parser.add_argument("--scale", type=float, default=1.0)
    build_parser.add_argument("--today", type=date.fromisoformat, default=date.today())
    build_parser.add_argument("--rebuild", action="store_true")
    build_parser.add_argument("--no-server", action="store_true", help="skip the CRM server")
    build_parser.add_argument("--shards", type=int, default=1, help="companies side by side (XL)")
    advance_parser = commands.add_parser("advance", help="move the demo clock forward")
    advance_parser.add_argument("--days", type=int, default=1)
    for each in (build_parser, advance_parser):
        each.add_argument("--jobs", type=int, default=1, help="shards simulated at once")
    args = parser.parse_args(argv)
    if args.command == "build" and not demo_mode():
        print("demo: own-data mode (your sources are configured): not built", file=sys.stderr)
        return 0
    try:
        if args.command == "build":
            build(
                args.seed,
                args.scale,
                args.today,
                args.rebuild,
                serve=not args.no_server,
                shards=args.shards,
                jobs=args.jobs,
            )
        else:
            advance(args.days, args.jobs)
    except (WarehouseError, RuntimeError) as exc:
        print(f"demo: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
