"""`make demo-remove`: take the demo company's rows out of the warehouse once one's own sources
are set (docs/own-data.md).

Every dataset that ever loaded from the demo left a marker (`ingestion.source_settings.
demo_loads_dir`). For each: its raw schema (with dlt's state of the load, kept in the schema) and
its staging schema are dropped, and dlt's local working folder removed, so the next load of a
source now configured starts from scratch from one's own data. The models built from demo rows
go too (schemas staging, intermediate, marts, marts_audit: the next build is a full refresh), and
the closed commission months, the stored forecasts (`forecast_history`) and month-end's approvals,
disputes, holds and close requests (`commission_ops`, recreated empty by the next build), which
were all made on demo data. `make demo-remove` then runs the pipeline, which rebuilds everything
from one's own sources (unconfigured ones load empty).

It refuses while demo mode is on: the next run would only load the demo again.
"""

from __future__ import annotations

import shutil
import sys

import psycopg2
from psycopg2 import sql

from ingestion.platform.paths import state_dir
from ingestion.platform.warehouse_url import WarehouseError, export_environment
from ingestion.source_settings import demo_loads_dir, demo_mode
from orchestration.defs.forecast.history import STORE_SCHEMA as FORECAST_STORE_SCHEMA
from orchestration.defs.incentives.period_close import STORE_SCHEMA
from orchestration.defs.quality.publish import AUDIT_SCHEMA, PUBLISHED_SCHEMA
from orchestration.locks import advisory_lock

MODEL_SCHEMAS = ("staging", "intermediate", PUBLISHED_SCHEMA, AUDIT_SCHEMA)
# month-end's records (dbt's on-run-start macros in macros/commission_ops create it)
COMMISSION_OPS_SCHEMA = "commission_ops"


class DemoModeOn(RuntimeError):
    """Removing the demo while demo mode is on would only reload it."""


def remove_demo(url: str) -> dict[str, list[str]]:
    """Drop what the demo loaded and everything built on it; return what was removed."""
    if demo_mode():
        raise DemoModeOn(
            "demo mode is on: configure your own sources first (or set `[sources] demo = false` "
            "in ingestion/.dlt/config.toml, env SOURCES__DEMO=false), then run "
            "`make demo-remove` again (docs/own-data.md)"
        )
    markers = sorted(demo_loads_dir().glob("raw_*")) if demo_loads_dir().exists() else []
    datasets = [marker.name for marker in markers]
    with advisory_lock(url, "pipeline"), psycopg2.connect(url) as conn, conn.cursor() as cur:
        dropped = [*datasets, *(f"{name}_staging" for name in datasets)]
        if datasets:
            dropped += [*MODEL_SCHEMAS, FORECAST_STORE_SCHEMA, COMMISSION_OPS_SCHEMA]
        for schema in dropped:
            cur.execute(sql.SQL("drop schema if exists {} cascade").format(sql.Identifier(schema)))
        cur.execute("select to_regclass(%s) is not null", (f"{STORE_SCHEMA}.closed_periods",))
        closed = []
        if datasets and cur.fetchone()[0]:
            cur.execute(f"select period_start::text from {STORE_SCHEMA}.closed_periods order by 1")
            closed = [row[0] for row in cur.fetchall()]
            cur.execute(f"truncate {STORE_SCHEMA}.closed_periods cascade")
    for name in datasets:
        shutil.rmtree(state_dir() / "dlt" / name, ignore_errors=True)
    for marker in markers:
        marker.unlink()
    return {"datasets": datasets, "schemas": dropped, "closed_periods": closed}


def main() -> int:
    try:
        removed = remove_demo(export_environment())
    except (WarehouseError, DemoModeOn) as exc:
        print(f"demo-remove: {exc}", file=sys.stderr)
        return 1
    if not removed["datasets"]:
        print("demo-remove: no demo rows in the warehouse", file=sys.stderr)
        return 0
    print(
        f"demo-remove: dropped {', '.join(removed['schemas'])}; removed the closed months: "
        f"{', '.join(removed['closed_periods']) or 'none'}. The pipeline now rebuilds from "
        "your own sources.",
        file=sys.stderr,
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
