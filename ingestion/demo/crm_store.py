"""The demo CRM's records kept in PostgreSQL, for a company too large to hold in memory (XL).

The sharded demo (`ingestion.demo.shards`) writes every HubSpot record into `demo_crm.records`
of the demo orders database; the CRM server then answers from there through `StoredCrm`, with
the same routes and pages as from memory (`ingestion.demo.crm_server`). Only a compact index is
held in memory: per object type, the sorted last-modified times of the live records (8 bytes a
record), which gives a search's `total` and each page's place without counting rows in SQL. The
records are read a page at a time, ordered as the in-memory server orders them (last-modified
time, then id).
"""

from __future__ import annotations

import bisect
import json
import threading
from collections.abc import Iterable, Iterator
from datetime import datetime
from typing import Any

import numpy as np
import psycopg
from psycopg import sql

from ingestion.demo.crm_server import CrmData, _compare_key

SCHEMA = "demo_crm"
# the properties a keyset search pages on (the connector's cursor per object type)
MODIFIED_PROPERTIES = ("hs_lastmodifieddate", "lastmodifieddate")
SCHEMA_SQL = f"""
create schema if not exists {SCHEMA};
create table if not exists {SCHEMA}.records (
    object_type text not null,
    id text not null,
    id_key bigint not null,
    archived boolean not null,
    modified_ms double precision,
    record json not null,
    primary key (object_type, id)
);
create index if not exists records_by_modified
    on {SCHEMA}.records (object_type, modified_ms, id_key) where not archived;
create index if not exists records_by_id on {SCHEMA}.records (object_type, archived, id_key);
create table if not exists {SCHEMA}.owners (id text primary key, owner json not null);
create table if not exists {SCHEMA}.property_names (
    object_type text not null, name text not null, primary key (object_type, name)
);
"""
PAGE_ROWS = 10_000  # rows read at a time when a search is not a keyset range (a full scan)


def _modified_ms(record: dict[str, Any]) -> float | None:
    for name in MODIFIED_PROPERTIES:
        value = record["properties"].get(name)
        if value not in (None, ""):
            return datetime.fromisoformat(str(value).replace("Z", "+00:00")).timestamp() * 1000
    return None


def _id_key(record_id: str) -> int:
    if not record_id.isdigit():
        raise ValueError(f"the stored CRM keeps numeric ids only, not {record_id!r}")
    return int(record_id)


def create(conn: psycopg.Connection, replace: bool) -> None:
    conn.execute(SCHEMA_SQL)
    if replace:
        conn.execute(f"truncate {SCHEMA}.records, {SCHEMA}.owners, {SCHEMA}.property_names")


def write_records(conn: psycopg.Connection, objects: dict[str, list[dict]]) -> int:
    """Upsert the records (a new version of a record replaces the stored one); return how many."""
    conn.execute(
        f"create temporary table if not exists incoming (like {SCHEMA}.records) on commit drop"
    )
    written = 0
    names: set[tuple[str, str]] = set()
    with conn.cursor().copy(
        "copy incoming (object_type, id, id_key, archived, modified_ms, record) from stdin"
    ) as copy:
        for object_type, records in objects.items():
            for record in records:
                copy.write_row(
                    (
                        object_type,
                        record["id"],
                        _id_key(record["id"]),
                        bool(record.get("archived")),
                        _modified_ms(record),
                        json.dumps(record, separators=(",", ":")),
                    )
                )
                names.update((object_type, name) for name in record["properties"])
                written += 1
    with conn.cursor() as cur:
        cur.executemany(
            f"insert into {SCHEMA}.property_names values (%s, %s) on conflict do nothing",
            sorted(names),
        )
    conn.execute(
        f"insert into {SCHEMA}.records select * from incoming on conflict (object_type, id) do "
        "update set archived = excluded.archived, modified_ms = excluded.modified_ms, "
        "record = excluded.record"
    )
    return written


def write_owners(conn: psycopg.Connection, owners: list[dict]) -> None:
    conn.execute(f"delete from {SCHEMA}.owners")
    with conn.cursor().copy(f"copy {SCHEMA}.owners (id, owner) from stdin") as copy:
        for owner in owners:
            copy.write_row((owner["id"], json.dumps(owner)))


class _Connection:
    """One connection shared by the server's threads, a query at a time."""

    def __init__(self, url: str) -> None:
        self._conn = psycopg.connect(url, autocommit=True)
        self._lock = threading.Lock()

    def rows(self, query: sql.Composable | str, params: Iterable[Any] = ()) -> list[tuple]:
        with self._lock:
            return self._conn.execute(query, tuple(params)).fetchall()

    def numbers(self, query: str, params: Iterable[Any] = ()) -> np.ndarray:
        """One column of numbers, streamed by `COPY` into an array (no Python row per value:
        XL has millions)."""
        with self._lock, psycopg.ClientCursor(self._conn) as cur:
            statement = sql.SQL("copy ({}) to stdout").format(
                sql.SQL(cur.mogrify(query, tuple(params)))
            )
            with cur.copy(statement) as copy:
                copy.set_types(["float8"])
                return np.fromiter((row[0] for row in copy.rows()), dtype=np.float64)


class _StoredRows:
    """Records of one type, in one order, read from PostgreSQL a slice at a time: what the
    in-memory server keeps as a sorted list (`len`, slices, iteration)."""

    def __init__(
        self, db: _Connection, where: sql.Composable, params: tuple, order: str, count: int
    ) -> None:
        self._db, self._where, self._params, self._order = db, where, params, order
        self._count = count
        self._offset = 0

    def __len__(self) -> int:
        return max(self._count - self._offset, 0)

    def __getitem__(self, part: slice) -> Any:
        if not isinstance(part, slice) or part.step not in (None, 1):
            raise TypeError("stored records are read by slices")
        start = self._offset + (part.start or 0)
        if part.stop is None:
            view = _StoredRows(self._db, self._where, self._params, self._order, self._count)
            view._offset = start
            return view
        return self._read(start, self._offset + part.stop - start)

    def _read(self, offset: int, limit: int) -> list[dict[str, Any]]:
        if limit <= 0:
            return []
        query = sql.SQL("select record from {}.records where {} order by {} offset %s limit %s")
        query = query.format(sql.Identifier(SCHEMA), self._where, sql.SQL(self._order))
        return [row[0] for row in self._db.rows(query, (*self._params, offset, limit))]

    def __iter__(self) -> Iterator[dict[str, Any]]:
        for start in range(self._offset, self._count, PAGE_ROWS):
            yield from self._read(start, PAGE_ROWS)


class _StoredIndex:
    """What `crm_server._Index` offers the routes, answered from PostgreSQL."""

    def __init__(self, db: _Connection, object_type: str) -> None:
        self._db, self.object_type = db, object_type
        kind = sql.SQL("object_type = %s")
        counts = dict(
            db.rows(
                f"select archived, count(*) from {SCHEMA}.records where object_type = %s "
                "group by archived",
                (object_type,),
            )
        )
        by_id = "id_key"
        self.live = _StoredRows(
            db, kind + sql.SQL(" and not archived"), (object_type,), by_id, counts.get(False, 0)
        )
        self.archived = _StoredRows(
            db, kind + sql.SQL(" and archived"), (object_type,), by_id, counts.get(True, 0)
        )
        # each live record's last-modified time, ascending: a search's total without a count
        self._modified = db.numbers(
            f"select modified_ms from {SCHEMA}.records where object_type = %s and not "
            "archived and modified_ms is not null order by modified_ms",
            (object_type,),
        )
        names = db.rows(
            f"select name from {SCHEMA}.property_names where object_type = %s "
            'order by name collate "C"',
            (object_type,),
        )
        self.property_names = [row[0] for row in names]
        self.searches: dict[str, list[dict[str, Any]]] = {}

    def range_scan(self, name: str, operator: str, value: Any) -> tuple[_StoredRows, int]:
        """The live records from the first one `operator` (GT or GTE) `value` lets through,
        sorted by `name` (a last-modified property), ties by id."""
        if name not in MODIFIED_PROPERTIES:
            raise KeyError(f"a keyset search on {name} (the stored CRM pages on last-modified)")
        kind, bound = _compare_key(value)
        if kind != 0:
            raise KeyError(f"a search from {value!r}, not a time")
        find = bisect.bisect_right if operator == "GT" else bisect.bisect_left
        skipped = find(self._modified, bound)  # type: ignore[call-overload]
        comparison = ">" if operator == "GT" else ">="
        rows = _StoredRows(
            self._db,
            sql.SQL("object_type = %s and not archived and modified_ms {} %s").format(
                sql.SQL(comparison)
            ),
            (self.object_type, bound),
            "modified_ms, id_key",
            len(self._modified) - skipped,
        )
        return rows, 0

    def find(self, ids: list[str]) -> dict[str, dict[str, Any]]:
        found = self._db.rows(
            f"select id, record from {SCHEMA}.records where object_type = %s and id = any(%s)",
            (self.object_type, ids),
        )
        return dict(found)


class StoredCrm(CrmData):
    """The demo CRM held in PostgreSQL (the sharded XL company): owners and pipelines in memory,
    records read per request."""

    def __init__(self, url: str, pipelines: list[dict[str, Any]]) -> None:
        self._db = _Connection(url)
        owners = [row[0] for row in self._db.rows(f"select owner from {SCHEMA}.owners")]
        super().__init__(objects={}, owners=owners, pipelines=pipelines)
        types = self._db.rows(f"select distinct object_type from {SCHEMA}.records order by 1")
        self.object_types = [row[0] for row in types]

    def indexes(self) -> dict[str, Any]:
        return {name: _StoredIndex(self._db, name) for name in self.object_types}
