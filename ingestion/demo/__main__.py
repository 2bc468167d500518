"""`python -m ingestion.demo build`: create or refresh the demo sources beside the warehouse."""

from __future__ import annotations

import argparse
import sys
import time

from ingestion.demo import orders_database
from ingestion.demo.settings import demo_orders_url
from orchestration.warehouse import WarehouseError, ensure_database, warehouse_url, with_database


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m ingestion.demo")
    parser.add_argument("command", choices=["build"])
    parser.parse_args(argv)
    started = time.monotonic()
    try:
        url = demo_orders_url()
        ensure_database(with_database(warehouse_url(), "postgres"), url.rsplit("/", 1)[1])
        orders_database.build(url)
    except WarehouseError as exc:
        print(f"demo: {exc}", file=sys.stderr)
        return 1
    print(f"demo: orders database ready ({time.monotonic() - started:.1f}s)", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
