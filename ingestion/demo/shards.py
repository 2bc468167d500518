"""A demo company too large to simulate at once (the XL benchmark): `shards` companies side by side.

    python -m ingestion.demo build --scale 80 --shards 10 [--jobs 2]

The demo simulates its whole company at once (`ingestion.demo.company.simulate`): about 1 GiB of
memory per 1M order lines. A sharded demo is `shards` companies of scale `scale`, each simulated
from its own seed (the demo's seed plus the shard's number), its identifiers moved into a range of
their own, written and dropped before the next: peak memory is one shard's company per job. The
60 reps and the 11 products are shared, as one company's would be (shard 0's org and owners).

Every source is written, as `build` writes them for one company:
- the orders database (`COPY` of CSV written by Arrow's multi-threaded writer);
- the HubSpot records, into the demo orders database's `demo_crm` schema, which the CRM server
  answers from (`ingestion.demo.crm_store`): 10 million records do not fit in its memory;
- finance's files from shard 0, with the reps' revenue targets set on the revenue of every shard;
- the channel team's exports: shard 0's at the folder's top, each other shard's in `shardNN/`,
  one `mapping.yml` naming them all.

`advance` moves the demo clock of every shard: each is simulated again, its orders and CRM records
changed since the last clock are upserted, and the files rewritten. Shard 0 is exactly the
single company of the same seed and scale.
"""

from __future__ import annotations

import resource
import sys
import time
import types
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import psycopg
import pyarrow as pa
import pyarrow.csv as pacsv
import yaml
from psycopg import sql

from ingestion.demo import crm_store, orders_database
from ingestion.demo.company import Company, simulate
from ingestion.demo.crm_records import crm_objects, crm_owners
from ingestion.demo.files import write_crm_exports, write_finance, write_targets, yearly_revenue
from ingestion.demo.state import DemoState
from ingestion.demo.views import iso_times, orders_tables, seconds_of

# (prefix, digits) of each identifier the demo formats, and the step between shards' ranges: an
# L company (scale 80) uses fewer than a step of each (96,000 customers, 1.2M orders, 2.4M lines,
# 80,000 refunds, 240,000 deals and a few million activities in its whole timeline), so ten shards
# never collide. Contacts are numbered from their company (+3,000,000), so they move with it.
IDENTIFIERS = {
    "customer": ("C", 6, 100_000),
    "company": ("", 0, 100_000),
    "order": ("SO", 8, 2_000_000),
    "order_line": ("L", 9, 5_000_000),
    "refund": ("R", 8, 1_000_000),
    "deal": ("", 0, 1_000_000),
    "activity": ("", 0, 10_000_000),
}
# the company's table -> {column: identifier kind}
COLUMNS = {
    "customers": {"customer_id": "customer", "company_id": "company"},
    "deals": {"deal_id": "deal"},
    "orders": {"order_id": "order"},
    "order_lines": {"order_line_id": "order_line"},
    "refunds": {"refund_id": "refund", "order_line_id": "order_line"},
    "activities": {"activity_id": "activity"},
}
SHARED_TABLES = {"products"}  # orders tables written once, from shard 0
ORDER_TABLES = ("orders", "order_lines", "refunds")  # the company's tables only orders are made of
SHARD_FOLDER = "shard{:02d}"  # a shard's channel-team exports, under the exports folder


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


def shard_company(state: DemoState, shard: int) -> Company:
    """Shard `shard`'s whole timeline, its identifiers moved into the shard's ranges."""
    company = simulate(state.seed + shard, date.fromisoformat(state.anchor), state.scale)
    for table, columns in COLUMNS.items():
        frame = company.tables[table]
        for column, kind in columns.items():
            frame[column] = shifted(frame[column], kind, shard)
    return company


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


def _changed_since(record: dict[str, Any], since: str) -> bool:
    """Whether a HubSpot record was created or changed after `since` (an ISO timestamp as the
    records write them): its own times and every version of its properties' history."""
    stamps = [record["createdAt"], record["updatedAt"], record.get("archivedAt") or ""]
    for versions in record.get("history", {}).values():
        stamps += [version["timestamp"] for version in versions]
    return max(stamps) > since


def _write_shard(
    state: DemoState, shard: int, url: str, finance: Path, exports: Path, since: DemoState | None
) -> tuple[dict[str, int], pd.DataFrame, pd.DataFrame]:
    """Write one shard's sources as of `state` (only what changed after `since`, when given);
    return the rows written per table, the shard's revenue per rep and year, and its reps."""
    started = time.monotonic()
    company = shard_company(state, shard)
    as_of = seconds_of(company, state.as_of_moment)
    simulated = time.monotonic() - started
    # finance's files and the revenue first: the orders tables are dropped once written, so the
    # HubSpot records are made beside the rest of the company only
    if shard == 0:
        write_finance(company, as_of, finance)
    revenue = yearly_revenue(company)
    written: dict[str, int] = {}
    if since is None:
        tables = orders_tables(company, as_of)
        with psycopg.connect(url) as conn:
            for name, frame in tables.items():
                if name in SHARED_TABLES and shard:
                    continue
                copy_frame(conn, name, frame)
                written[name] = len(frame)
        del tables
    else:
        previous = seconds_of(company, since.as_of_moment)
        written = orders_database.write(
            url, orders_tables(company, as_of, since=previous), replace=False
        )
    for name in ORDER_TABLES:
        del company.tables[name]
    cut = None  # a new build writes every record; an advance, those changed since its clock
    if since is not None:
        cut = str(iso_times(company, np.array([seconds_of(company, since.as_of_moment)]))[0])
    written["crm_records"] = 0
    with psycopg.connect(url) as conn:
        for object_type, records in crm_objects(company, as_of):
            if cut is not None:
                records = [r for r in records if _changed_since(r, cut)]
            written["crm_records"] += crm_store.write_records(conn, {object_type: records})
            conn.commit()
            del records
        if shard == 0:
            crm_store.write_owners(conn, crm_owners(company, as_of))
    folder = exports if shard == 0 else exports / SHARD_FOLDER.format(shard)
    write_crm_exports(company, as_of, folder)
    print(
        f"demo: shard {shard} simulated in {simulated:.0f}s, written in "
        f"{time.monotonic() - started - simulated:.0f}s, peak RSS "
        f"{resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:,.0f} MiB: "
        + ", ".join(f"{n:,} {t}" for t, n in written.items()),
        file=sys.stderr,
        flush=True,
    )
    return written, revenue, company["reps"]


@contextmanager
def _workers_without_main() -> Iterator[None]:
    """A spawned worker imports its parent's `__main__` module again before it runs anything.
    That module is not always a program: Streamlit's AppTest (the app's tests, the benchmark's app
    step) installs the page script it ran as `__main__`, which a worker would then execute and die
    in. The shard workers need only this module, so they start from an empty `__main__`."""
    main = sys.modules["__main__"]
    sys.modules["__main__"] = types.ModuleType("__main__")
    try:
        yield
    finally:
        sys.modules["__main__"] = main


def _write_all(
    state: DemoState,
    url: str,
    finance: Path,
    exports: Path,
    since: DemoState | None,
    jobs: int,
) -> dict[str, int]:
    """Every shard written (`jobs` at once, each in a process of its own so its company's memory
    is returned when it ends); the targets and the exports' mapping, which span the shards."""
    arguments = [(state, shard, url, finance, exports, since) for shard in range(state.shards)]
    with (
        _workers_without_main(),
        ProcessPoolExecutor(max_workers=jobs, max_tasks_per_child=1) as pool,
    ):
        results = list(pool.map(_write_shard, *zip(*arguments, strict=True)))
    totals: dict[str, int] = {}
    for written, _, _ in results:
        for name, count in written.items():
            totals[name] = totals.get(name, 0) + count
    revenue = pd.concat([r for _, r, _ in results]).groupby(["owner_id", "year"], as_index=False)
    first = date(date.fromisoformat(state.anchor).year - 1, 1, 1)  # as `simulate` starts
    reps_only = Company(start=first, end=first, tables={"reps": results[0][2]})
    write_targets(reps_only, finance / "targets", revenue["revenue"].sum())
    _merge_mappings(exports, state.shards)
    return totals


def _merge_mappings(exports: Path, shards: int) -> None:
    """One `mapping.yml` at the exports' top naming every shard's files (each shard's own mapping
    is removed: the connector reads the top one)."""
    path = exports / "mapping.yml"
    mapping = yaml.safe_load(path.read_text(encoding="utf-8"))
    for shard in range(1, shards):
        folder = SHARD_FOLDER.format(shard)
        own = exports / folder / "mapping.yml"
        theirs = yaml.safe_load(own.read_text(encoding="utf-8"))
        own.unlink()
        for name, person in theirs["people"].items():
            mapping["people"].setdefault(name, person)
        mapping["files"] += [
            {**spec, "path": f"{folder}/{spec['path']}"} for spec in theirs["files"]
        ]
    path.write_text(yaml.safe_dump(mapping, allow_unicode=True, sort_keys=False), encoding="utf-8")


def build(state: DemoState, url: str, finance: Path, exports: Path, jobs: int) -> dict[str, int]:
    """Replace the demo sources with `state.shards` companies as of `state`; the rows written."""
    with psycopg.connect(url) as conn:
        conn.execute(orders_database.SCHEMA_SQL)
        conn.execute("truncate " + ", ".join(f"shop.{name}" for name in orders_database.TABLES))
        crm_store.create(conn, replace=True)
    written = _write_all(state, url, finance, exports, None, jobs)
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("analyze")
    return written


def advance(
    state: DemoState, days: int, url: str, finance: Path, exports: Path, jobs: int
) -> tuple[DemoState, dict[str, int]]:
    """Move every shard's clock `days` on; the new state and the rows upserted."""
    later = state.advanced(days)
    return later, _write_all(later, url, finance, exports, state, jobs)
