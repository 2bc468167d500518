"""The XL benchmark's orders database: ten L-sized demo companies side by side, in bounded memory.

    python -m bench.sharded_orders --url postgresql://.../demo_orders --shards 10 --scale 80

The demo simulates its whole company at once (`ingestion.demo.company.simulate`): about 1 GiB of
memory per 1M order lines, so the 10M lines of XL would need about 10 GiB. Here XL is built as
`--shards` companies of scale `--scale`, each simulated from its own seed (the demo's seed plus
the shard's number), its identifiers moved into a range of their own, written, and dropped before
the next: peak memory is one L company. The 60 reps and the 11 products are shared, as one
company's would be. Shard 0 is exactly the L demo's orders database.

Rows go in by `COPY ... FROM STDIN (FORMAT csv)`, the CSV written by Arrow's multi-threaded
writer (pandas' `to_csv` took 30 s per L company at load 6). Only the orders database is built:
the CRM, the finance files and `demo-advance` need the demo's whole-company simulation, which XL
cannot afford (see bench/README.md).
"""

from __future__ import annotations

import argparse
import sys
import time
from datetime import date

import numpy as np
import pandas as pd
import psycopg
import pyarrow as pa
import pyarrow.csv as pacsv
from psycopg import sql

# (prefix, digits) of each identifier the demo formats, and the step between shards' ranges: an
# L company uses fewer than a step of each (96,000 customers, 1.2M orders, 2.4M lines, 80,000
# refunds and 240,000 deals in its whole timeline), so ten shards never collide.
IDENTIFIERS = {
    "customer": ("C", 6, 100_000),
    "company": ("", 0, 100_000),
    "order": ("SO", 8, 2_000_000),
    "order_line": ("L", 9, 5_000_000),
    "refund": ("R", 8, 1_000_000),
    "deal": ("", 0, 1_000_000),
}
# table -> {column: identifier kind}
COLUMNS = {
    "customers": {"customer_id": "customer", "crm_company_id": "company"},
    "orders": {"order_id": "order", "customer_id": "customer", "deal_id": "deal"},
    "order_lines": {"order_line_id": "order_line", "order_id": "order"},
    "refunds": {"refund_id": "refund", "order_id": "order", "order_line_id": "order_line"},
}
SHARED_TABLES = {"products"}  # written once, from shard 0


def shifted(values: pd.Series, kind: str, shard: int) -> pd.Series:
    """Identifiers of `kind` moved into shard `shard`'s range (nulls stay null)."""
    prefix, digits, step = IDENTIFIERS[kind]
    if shard == 0:
        return values
    present = values.notna().to_numpy()
    numbers = values[present].astype(str).str.slice(len(prefix)).astype(np.int64) + shard * step
    text = numbers.astype(str).to_numpy()
    if digits:
        text = np.char.zfill(text.astype(str), digits)
    out = values.astype(object).copy()
    out[present] = np.char.add(prefix, text.astype(str)).astype(object)
    return out


def shard_tables(tables: dict[str, pd.DataFrame], shard: int) -> dict[str, pd.DataFrame]:
    """The demo's orders tables of one shard, identifiers moved into the shard's ranges."""
    moved = {}
    for name, frame in tables.items():
        if name in SHARED_TABLES and shard:
            continue
        frame = frame.copy()
        for column, kind in COLUMNS.get(name, {}).items():
            frame[column] = shifted(frame[column], kind, shard)
        moved[name] = frame
    return moved


def csv_bytes(frame: pd.DataFrame) -> bytes:
    """The frame as headerless CSV for PostgreSQL's `COPY`: nulls empty and unquoted, timestamps
    to the second with their zone."""
    table = pa.Table.from_pandas(frame, preserve_index=False)
    columns = [
        column.cast(pa.timestamp("s", tz="UTC")) if pa.types.is_timestamp(column.type) else column
        for column in table.columns
    ]
    table = pa.Table.from_arrays(columns, names=table.column_names)
    sink = pa.BufferOutputStream()
    pacsv.write_csv(table, sink, pacsv.WriteOptions(include_header=False))
    return sink.getvalue().to_pybytes()


def copy_frame(conn: psycopg.Connection, table: str, frame: pd.DataFrame) -> None:
    columns = sql.SQL(", ").join(sql.Identifier(c) for c in frame.columns)
    statement = sql.SQL("copy {} ({}) from stdin (format csv)").format(
        sql.Identifier("shop", table), columns
    )
    data = csv_bytes(frame)
    with conn.cursor().copy(statement) as copy:
        for start in range(0, len(data), 1 << 22):
            copy.write(data[start : start + (1 << 22)])


def build(url: str, shards: int, scale: float, seed: int, today: date) -> dict[str, int]:
    """Replace the orders database's rows with `shards` companies; return the rows per table."""
    from ingestion.demo.orders_database import SCHEMA_SQL, TABLES
    from ingestion.demo.state import new_state
    from ingestion.demo.views import orders_tables

    written = dict.fromkeys(TABLES, 0)
    with psycopg.connect(url) as conn:
        conn.execute(SCHEMA_SQL)
        conn.execute("truncate " + ", ".join(f"shop.{name}" for name in TABLES))
        conn.commit()
        for shard in range(shards):
            started = time.monotonic()
            state = new_state(seed + shard, scale, today)
            company = state.company()
            tables = shard_tables(orders_tables(company, state.as_of_seconds()), shard)
            simulated = time.monotonic() - started
            for name, frame in tables.items():
                copy_frame(conn, name, frame)
                written[name] += len(frame)
            conn.commit()
            del company, tables
            _forget_companies()
            print(
                f"sharded orders: shard {shard + 1}/{shards} simulated in {simulated:.0f}s, "
                f"written in {time.monotonic() - started - simulated:.0f}s; "
                + ", ".join(f"{n:,} {t}" for t, n in written.items()),
                file=sys.stderr,
                flush=True,
            )
        conn.execute("analyze")
    return written


def _forget_companies() -> None:
    """Drop the demo's cached simulations, so one shard's company is freed before the next."""
    from ingestion.demo import state

    state._simulated.cache_clear()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.sharded_orders")
    parser.add_argument("--url", required=True, help="the demo orders database")
    parser.add_argument("--shards", type=int, default=10)
    parser.add_argument("--scale", type=float, default=80.0)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--today", type=date.fromisoformat, default=date.today())
    args = parser.parse_args(argv)
    written = build(args.url, args.shards, args.scale, args.seed, args.today)
    print(", ".join(f"{n:,} {t}" for t, n in written.items()), file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
