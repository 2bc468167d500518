"""Ingestion figures: our dlt path for the orders database against a raw `COPY` of the same rows,
and the CRM over HTTP with the share of time spent waiting on the server.

Every run loads into a fresh dataset, so each is a first (full) load of the same rows.
"""

from __future__ import annotations

import shutil
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

import psycopg
from psycopg import sql

from bench.environment import BenchEnvironment

COPY_SCHEMA = "bench_copy"


def _source_tables() -> list[str]:
    from ingestion.sources.orders_db.settings import PRIMARY_KEYS

    return list(PRIMARY_KEYS)


def _table_ddl(source: psycopg.Connection, table: str) -> sql.Composable:
    """`create table` for `bench_copy.<table>` with the source table's columns and types."""
    rows = source.execute(
        "select column_name, format_type(atttypid, atttypmod) from information_schema.columns c"
        " join pg_attribute a on a.attrelid = ('shop.' || c.table_name)::regclass"
        " and a.attname = c.column_name"
        " where c.table_schema = 'shop' and c.table_name = %s order by c.ordinal_position",
        (table,),
    ).fetchall()
    columns = sql.SQL(", ").join(
        sql.SQL("{} {}").format(sql.Identifier(name), sql.SQL(kind)) for name, kind in rows
    )
    return sql.SQL("create table {} ({})").format(sql.Identifier(COPY_SCHEMA, table), columns)


def _drop_schema(name: str) -> sql.Composable:
    return sql.SQL("drop schema if exists {} cascade").format(sql.Identifier(name))


def source_row_count(env: BenchEnvironment) -> int:
    with psycopg.connect(env.orders_url) as source:
        return sum(
            source.execute(
                sql.SQL("select count(*) from {}").format(sql.Identifier("shop", t))
            ).fetchone()[0]
            for t in _source_tables()
        )


def copy_once(env: BenchEnvironment) -> tuple[int, float]:
    """Stream every orders table with `COPY ... TO STDOUT` into `COPY ... FROM STDIN` on the
    warehouse (binary format, no indexes): the physical limit for moving these rows."""
    with psycopg.connect(env.orders_url) as source, psycopg.connect(env.url) as target:
        target.execute(_drop_schema(COPY_SCHEMA))
        target.execute(sql.SQL("create schema {}").format(sql.Identifier(COPY_SCHEMA)))
        for table in _source_tables():
            target.execute(_table_ddl(source, table))
        target.commit()
        rows = 0
        started = time.perf_counter()
        for table in _source_tables():
            out = sql.SQL("copy {} to stdout (format binary)").format(sql.Identifier("shop", table))
            into = sql.SQL("copy {} from stdin (format binary)").format(
                sql.Identifier(COPY_SCHEMA, table)
            )
            with source.cursor().copy(out) as reader, target.cursor().copy(into) as writer:
                for block in reader:
                    writer.write(block)
        target.commit()
        elapsed = time.perf_counter() - started
        for table in _source_tables():
            rows += target.execute(
                sql.SQL("select count(*) from {}").format(sql.Identifier(COPY_SCHEMA, table))
            ).fetchone()[0]
        target.execute(_drop_schema(COPY_SCHEMA))
    return rows, elapsed


def _fresh_pipeline(env: BenchEnvironment, name: str):
    """A dlt pipeline of the project's kind (`raw_pipeline`) on an empty dataset `raw_<name>`.

    The libraries a load imports are imported first: a long-running worker pays that once, and
    the COPY it is compared with pays nothing like it.
    """
    import connectorx  # noqa: F401
    import pandas  # noqa: F401
    import pyarrow.parquet  # noqa: F401
    import sqlalchemy  # noqa: F401
    from dlt.sources import sql_database  # noqa: F401

    from ingestion.pipelines import raw_pipeline
    from ingestion.platform.paths import state_dir

    with psycopg.connect(env.url) as conn:
        conn.execute(_drop_schema(f"raw_{name}"))
        conn.execute(_drop_schema(f"raw_{name}_staging"))
    shutil.rmtree(state_dir() / "dlt" / f"raw_{name}", ignore_errors=True)
    return raw_pipeline(name, url=env.url)


def _loaded_rows(pipeline) -> int:
    counts = pipeline.last_trace.last_normalize_info.row_counts
    return sum(count for table, count in counts.items() if not table.startswith("_dlt"))


def run_orders(env: BenchEnvironment, pipeline) -> None:
    """Load the orders source as the Dagster asset does (`orchestration/defs/ingestion`):
    Parquet through ADBC's binary COPY, a table's first load appended, later ones merged."""
    from ingestion.pipelines import append_first_loads
    from ingestion.sources.orders_db import orders_db
    from ingestion.sources.orders_db.settings import LOADER_FILE_FORMAT

    source = append_first_loads(orders_db(credentials=env.orders_url), pipeline)
    pipeline.run(source, loader_file_format=LOADER_FILE_FORMAT)


def dlt_orders_once(env: BenchEnvironment) -> tuple[int, float, float]:
    """Our orders path: the rows and seconds of a first load into an empty dataset (timed from
    the source's creation), and the seconds of the run after it, which finds nothing new (what
    every run costs whatever its size)."""
    pipeline = _fresh_pipeline(env, "bench_orders")
    started = time.perf_counter()
    run_orders(env, pipeline)
    elapsed = time.perf_counter() - started
    rows = _loaded_rows(pipeline)
    started = time.perf_counter()
    run_orders(env, pipeline)
    return rows, elapsed, time.perf_counter() - started


@contextmanager
def _http_wait_clock() -> Iterator[list[float]]:
    """Sum the time spent inside HTTP requests (send to last byte read) while the block runs."""
    import requests

    total = [0.0]
    lock = threading.Lock()
    original = requests.Session.send

    def timed_send(self, request, **kwargs):
        started = time.perf_counter()
        try:
            return original(self, request, **kwargs)
        finally:
            with lock:
                total[0] += time.perf_counter() - started

    requests.Session.send = timed_send
    try:
        yield total
    finally:
        requests.Session.send = original


def crm_once(env: BenchEnvironment, base_url: str, token: str, page_size: int) -> dict[str, float]:
    """A first load of the whole CRM over HTTP, `page_size` records per page."""
    from ingestion.sources.hubspot import helpers, hubspot

    helpers.SEARCH_PAGE_SIZE = page_size  # list endpoints already page by 100
    pipeline = _fresh_pipeline(env, "bench_crm")
    with _http_wait_clock() as waited:
        started = time.perf_counter()
        pipeline.run(hubspot(base_url=base_url, access_token=token))
        elapsed = time.perf_counter() - started
    records = _loaded_rows(pipeline)
    return {"records": records, "seconds": elapsed, "waiting_s": waited[0]}


def order_line_stamp(env: BenchEnvironment) -> tuple[int, object]:
    """How many order lines the source has, and their latest `updated_at`."""
    with psycopg.connect(env.orders_url) as source:
        return source.execute("select count(*), max(updated_at) from shop.order_lines").fetchone()


def changed_order_lines(env: BenchEnvironment, before: tuple[int, object]) -> int:
    """Order lines new or changed since `before` (from `order_line_stamp`)."""
    with psycopg.connect(env.orders_url) as source:
        return source.execute(
            "select count(*) from shop.order_lines where updated_at > %s", (before[1],)
        ).fetchone()[0]
