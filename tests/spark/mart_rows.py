"""A mart's rows as both engines hold them, read into the same Python values, and what differs.

The acceptance of the Spark build (docs/spark.md): every mart equals the PostgreSQL build of the
same inputs row for row, as a multiset (a duplicated row counts), money to the cent. Both sides
are read into Python without a float anywhere: numeric/decimal columns become `Decimal` (compared
by value, so `1.50` equals `1.5` but `1.51` never does), timestamps UTC-aware datetimes, dates
dates. PostgreSQL's are read through psycopg2 in a UTC session; Spark's from the Parquet files the
build wrote under its warehouse folder (`<schema>.db/<table>`), with pyarrow, so no second JVM is
started to read them.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import psycopg2
import pyarrow as pa
import pyarrow.parquet as pq
from psycopg2 import sql

# The schemas marts land in: `marts`, and `marts_audit` for the incentive marts, which the
# write-audit-publish step copies into `marts` once their checks pass.
MART_SCHEMAS = ("marts", "marts_audit")
# How many differing rows a failure lists on each side.
SHOWN = 15


@dataclass(frozen=True)
class MartRows:
    """A table's column names and its rows as a multiset."""

    columns: tuple[str, ...]
    rows: Counter[tuple]


def comparable(value: object) -> object:
    """One value as both engines' readers must agree on it: a timestamp in UTC (Spark's Parquet
    timestamps are UTC instants without a zone), a float refused (no mart holds one: money and
    ratios are exact decimals, and a float would hide a lost cent)."""
    if isinstance(value, float):
        raise TypeError(f"mart_rows: a float ({value!r}) where every mart column is exact")
    if isinstance(value, dt.datetime):
        if value.tzinfo is None:
            return value.replace(tzinfo=dt.UTC)
        return value.astimezone(dt.UTC)
    return value


def postgres_mart(url: str, schema: str, table: str) -> MartRows:
    """Every row of `schema.table` in the PostgreSQL warehouse (a UTC session)."""
    with psycopg2.connect(url, options="-c timezone=UTC") as conn, conn.cursor() as cur:
        cur.execute(
            sql.SQL("select * from {}.{}").format(sql.Identifier(schema), sql.Identifier(table))
        )
        columns = tuple(column.name for column in cur.description)
        rows = Counter(tuple(comparable(value) for value in row) for row in cur.fetchall())
    return MartRows(columns, rows)


def _utc_timestamps(table: pa.Table) -> pa.Table:
    """Timestamps without a zone (Spark's INT96) as the UTC instants they are."""
    for index, field in enumerate(table.schema):
        if pa.types.is_timestamp(field.type):
            column = table.column(index).cast(pa.timestamp("us", tz=field.type.tz or "UTC"))
            table = table.set_column(index, field.name, column)
    return table


def spark_table_folder(warehouse_dir: Path, schema: str, table: str) -> Path:
    """Where a local session keeps a managed table's Parquet files."""
    return warehouse_dir / f"{schema}.db" / table


def spark_mart(warehouse_dir: Path, schema: str, table: str) -> MartRows:
    """Every row of `schema.table` as the Spark build wrote it (its Parquet files)."""
    data = pq.read_table(
        spark_table_folder(warehouse_dir, schema, table), coerce_int96_timestamp_unit="us"
    )
    data = _utc_timestamps(data)
    columns = tuple(data.column_names)
    rows = Counter(tuple(comparable(row[name]) for name in columns) for row in data.to_pylist())
    return MartRows(columns, rows)


def _shown(rows: Counter[tuple], columns: tuple[str, ...]) -> list[str]:
    listed = sorted(rows.elements(), key=repr)
    lines = [f"    {dict(zip(columns, row, strict=True))}" for row in listed[:SHOWN]]
    if len(listed) > SHOWN:
        lines.append(f"    ... and {len(listed) - SHOWN} more")
    return lines


def _paired(
    only_postgres: Counter[tuple], only_spark: Counter[tuple], columns: tuple[str, ...]
) -> list[str]:
    """The rows that differ on both sides with the same first column (a mart's key comes first),
    with only the columns that differ: the line to read first in a failure."""
    by_key = {row[0]: row for row in only_spark}
    lines = []
    for row in sorted(only_postgres, key=repr)[:SHOWN]:
        other = by_key.get(row[0])
        if other is not None:
            changed = {
                name: (mine, theirs)
                for name, mine, theirs in zip(columns, row, other, strict=True)
                if mine != theirs
            }
            lines.append(f"    {columns[0]}={row[0]!r}: (postgres, spark) {changed}")
    return lines


def differences(name: str, postgres: MartRows, spark: MartRows) -> str | None:
    """What differs between the two builds of a mart, row by row, or None when they are equal.
    Decimals compare by value (scale normalised); every other value exactly."""
    if postgres.columns != spark.columns:
        return (
            f"{name}: columns differ\n  postgres: {postgres.columns}\n  spark:    {spark.columns}"
        )
    only_postgres = postgres.rows - spark.rows
    only_spark = spark.rows - postgres.rows
    if not only_postgres and not only_spark:
        return None
    total = (sum(postgres.rows.values()), sum(spark.rows.values()))
    return "\n".join(
        [
            f"{name}: {total[0]} rows on PostgreSQL, {total[1]} on Spark;"
            f" {sum(only_postgres.values())} only on PostgreSQL,"
            f" {sum(only_spark.values())} only on Spark",
            "  the same key on both sides, the columns that differ:",
            *_paired(only_postgres, only_spark, postgres.columns),
            "  only on PostgreSQL:",
            *_shown(only_postgres, postgres.columns),
            "  only on Spark:",
            *_shown(only_spark, spark.columns),
        ]
    )


def without_columns(rows: MartRows, dropped: set[str]) -> MartRows:
    """The rows without the named columns (those that may legitimately differ between engines)."""
    kept = [index for index, name in enumerate(rows.columns) if name not in dropped]
    projected: Counter[tuple] = Counter()
    for row, count in rows.rows.items():
        projected[tuple(row[index] for index in kept)] += count
    return MartRows(tuple(rows.columns[index] for index in kept), projected)
