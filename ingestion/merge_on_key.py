"""dlt's `merge` applied to a table's Parquet files: after a load, the rows it replaced are taken
out of the older files, so a folder holds one row per primary key, the newest load's, as the
PostgreSQL table does after dlt's delete-insert merge. Nested tables lose the rows of the
replaced root rows (found through `_dlt_parent_id`), as dlt deletes them on PostgreSQL.

Files are `<table>/<load_id>.<file_id>.parquet` (the destination's default layout). Only older
files holding a replaced row are rewritten: written beside under a name starting with `_`, which
Spark and Arrow skip, then moved over the original (a file that keeps no row is deleted). A rerun
after a crash finds nothing more to take out or finishes the job: it is idempotent. Rows of one
load need not be unique on the key: an API paged by last-modified time can send a record twice
in one load (the HubSpot source did, at bench scale S). One row per key is kept, as dlt's merge
keeps one on PostgreSQL: the newest by the table's `dedup_sort` column when it has one (the
sources' cursor, `typed_columns(..., newest_by=)`), as dlt sorts on PostgreSQL, else (and between
equal values) the load's last; the others are taken out with their nested rows.
"""

from __future__ import annotations

import posixpath
from decimal import Decimal
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
from dlt.common.schema.utils import (
    get_columns_names_with_prop,
    get_dedup_sort_tuple,
    get_nested_tables,
    get_write_disposition,
)

PARENT_ID = "_dlt_parent_id"
ROW_ID = "_dlt_id"
KEY_SEPARATOR = "\x1f"


def _load_id(path: str) -> Decimal:
    """The load id a file was written by (`<load_id>.<file_id>.parquet`; a load id is a Unix
    time with a fraction, so it holds a dot), as a number to order loads by."""
    return Decimal(posixpath.basename(path).rsplit(".", 2)[0])


def _read(fs: Any, path: str, columns: list[str] | None = None) -> pa.Table:
    with fs.open(path, "rb") as file:
        return pq.read_table(file, columns=columns)


def _keys(table: pa.Table, columns: list[str]) -> pa.Array:
    """One string per row naming its key (several columns joined), for set membership."""
    parts = [pc.cast(table[column], pa.string()) for column in columns]
    if len(parts) == 1:
        return parts[0].combine_chunks()
    return pc.binary_join_element_wise(*parts, KEY_SEPARATOR).combine_chunks()


def _take_out(fs: Any, path: str, columns: list[str], replaced: pa.Array) -> pa.Table | None:
    """Remove from the file at `path` the rows whose key is in `replaced`; returns them (None
    when there were none)."""
    hit = pc.is_in(_keys(_read(fs, path, columns), columns), value_set=replaced)
    return _remove_rows(fs, path, hit)


def _remove_rows(fs: Any, path: str, hit: pa.Array) -> pa.Table | None:
    """Remove the rows of the file at `path` where `hit` is true; returns them (None when none)."""
    if not pc.any(hit).as_py():
        return None
    rows = _read(fs, path)
    kept = rows.filter(pc.invert(hit))
    if kept.num_rows == 0:
        fs.rm(path)
    else:
        folder, name = posixpath.split(path)
        scratch = posixpath.join(folder, f"_merging.{name}")
        with fs.open(scratch, "wb") as file:
            pq.write_table(kept, file)
        fs.mv(scratch, path)
    return rows.filter(hit)


def _kept_positions(keys: list[Any], order: list[Any] | None, descending: bool) -> set[int]:
    """The position of the row kept per key: the first by `order` (highest when `descending`;
    a null never beats a value), the later row between equals; without `order`, the last."""
    kept: dict[Any, int] = {}
    for position, key in enumerate(keys):
        held = kept.get(key)
        if held is None or order is None:
            kept[key] = position
            continue
        new, old = order[position], order[held]
        if old is None or (new is not None and (new >= old if descending else new <= old)):
            kept[key] = position
    return set(kept.values())


def _repeats_taken_out(
    fs: Any,
    paths: list[str],
    keys: list[pa.Array],
    order: list[pa.Array] | None,
    descending: bool,
) -> list[pa.Table]:
    """Take out of the load's own files (`paths`, their `keys`) every row of a key the load
    holds more than once but the one kept (`_kept_positions`, by the files' `order` column, the
    table's `dedup_sort`, when given); returns the rows taken out."""
    every = pa.concat_arrays(keys)
    if pc.count_distinct(every).as_py() == len(every):
        return []
    values = pa.concat_arrays(order).to_pylist() if order is not None else None
    keep = _kept_positions(every.to_pylist(), values, descending)
    removed = []
    start = 0
    for path, file_keys in zip(paths, keys, strict=True):
        hit = pa.array([start + i not in keep for i in range(len(file_keys))], pa.bool_())
        start += len(file_keys)
        if (rows := _remove_rows(fs, path, hit)) is not None:
            removed.append(rows)
    return removed


def _merge_table(
    client: Any,
    table_name: str,
    key: list[str],
    load_id: str,
    dedup_sort: tuple[str, str] | None = None,
) -> int:
    """Take the rows replaced by load `load_id` out of `table_name` and its nested tables."""
    files = [path for path in client.list_table_files(table_name) if path.endswith(".parquet")]
    new_files = [path for path in files if _load_id(path) == Decimal(load_id)]
    if not new_files:
        return 0
    # each new file read once: its key columns and the dedup_sort column
    sort_column = [dedup_sort[0]] if dedup_sort is not None else []
    columns = list(dict.fromkeys([*key, *sort_column]))
    new_rows = [_read(client.fs_client, p, columns) for p in new_files]
    new_keys = [_keys(rows, key) for rows in new_rows]
    order = [rows[sort_column[0]].combine_chunks() for rows in new_rows] if sort_column else None
    descending = dedup_sort is not None and dedup_sort[1] == "desc"
    replaced = pa.concat_arrays(new_keys)
    removed = _repeats_taken_out(client.fs_client, new_files, new_keys, order, descending)
    removed += [
        rows
        for path in files
        if _load_id(path) < Decimal(load_id)
        and (rows := _take_out(client.fs_client, path, key, replaced)) is not None
    ]
    # nested rows go with their parent row, level by level (dlt's root key is not written to
    # files, whose merge dlt turns into an append)
    removed_ids = {table_name: [rows[ROW_ID] for rows in removed if ROW_ID in rows.column_names]}
    for nested in get_nested_tables(client.schema.tables, table_name, include_self=False):
        parent_ids = removed_ids.get(nested["parent"])
        if not parent_ids:
            continue
        value_set = pa.chunked_array([c for ids in parent_ids for c in ids.chunks]).combine_chunks()
        removed_ids[nested["name"]] = [
            rows[ROW_ID]
            for path in client.list_table_files(nested["name"])
            if path.endswith(".parquet")
            and (rows := _take_out(client.fs_client, path, [PARENT_ID], value_set)) is not None
        ]
    return sum(rows.num_rows for rows in removed)


def merge_load(client: Any, load_id: str) -> dict[str, int]:
    """Apply load `load_id` as a merge to every root `merge` table with a primary key of the
    filesystem client's schema; returns the rows replaced per table (tables with none left out).

    A merge table without a primary key is appended, as on PostgreSQL (dlt merges such a table by
    its merge key or appends)."""
    replaced = {}
    tables = client.schema.tables
    for table in client.schema.data_tables():
        name = table["name"]
        if table.get("parent") or get_write_disposition(tables, name) != "merge":
            continue
        key = get_columns_names_with_prop(table, "primary_key")
        dedup_sort = get_dedup_sort_tuple(table)
        if key and (count := _merge_table(client, name, key, load_id, dedup_sort)):
            replaced[name] = count
    return replaced
