"""`python -m ingestion.platform start|stop|url|status|psql|exec`: the embedded warehouse's
command line, used by the Makefile (see `ingestion.platform.embedded`)."""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import time

from ingestion.platform.embedded import EmbeddedServer
from ingestion.platform.warehouse_url import (
    WarehouseError,
    export_environment,
    wait_until_reachable,
    warehouse_url,
)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m ingestion.platform")
    parser.add_argument("command", choices=["start", "stop", "url", "status", "psql", "exec"])
    parser.add_argument("argv", nargs=argparse.REMAINDER, help="with exec: the command to run")
    args = parser.parse_args(argv)
    server = EmbeddedServer()
    try:
        if args.command == "start":
            if os.environ.get("WAREHOUSE_URL"):
                wait_until_reachable(warehouse_url())
                print("warehouse: using WAREHOUSE_URL", file=sys.stderr)
            else:
                started = time.monotonic()
                was_running = server.is_running()
                server.start()
                verb = "reusing" if was_running else "started"
                print(
                    f"warehouse: {verb} embedded PostgreSQL on 127.0.0.1:{server.port} "
                    f"(data in {server.home}, {time.monotonic() - started:.1f}s)",
                    file=sys.stderr,
                )
        elif args.command == "stop":
            if not os.environ.get("WAREHOUSE_URL"):
                server.stop()
                print("warehouse: embedded PostgreSQL stopped", file=sys.stderr)
        elif args.command == "url":
            print(warehouse_url())
        elif args.command == "status":
            if os.environ.get("WAREHOUSE_URL"):
                print("external warehouse (WAREHOUSE_URL)")
            else:
                state = "running" if server.is_running() else "stopped"
                print(f"embedded warehouse {state} in {server.home}")
        elif args.command == "psql":
            psql = shutil.which("psql") or server._bin("psql")
            os.execv(psql, [psql, warehouse_url()])
        elif args.command == "exec":
            command = [a for a in args.argv if a != "--"]
            if not command:
                parser.error("exec needs a command, e.g. exec -- dbt build")
            export_environment()
            os.execvp(command[0], command)
    except WarehouseError as exc:
        print(f"warehouse: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
