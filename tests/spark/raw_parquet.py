"""The raw layer as Parquet, for the first Spark runs: every table and view of the PostgreSQL raw
schemas (those dlt loaded, the closed-periods store, month-end's decisions, whose sources are
views over their event tables) written to
`<root>/<schema>/<table>/part-0.parquet`, the layout dlt's filesystem destination gives.

Exported from the PostgreSQL build rather than loaded again by dlt, so both engines read the very
same rows (load ids included) and their marts can be compared row for row. Types are mapped from
the catalogue, never guessed from values: numeric stays an exact decimal of its declared
precision, timestamptz a UTC timestamp.
"""

from __future__ import annotations

import re
from pathlib import Path

import psycopg2
import pyarrow as pa
import pyarrow.parquet as pq

RAW_SCHEMA_PATTERN = r"raw\_%"
OTHER_SCHEMAS = ("incentives_closed", "commission_ops")

# numeric without a declared precision: Spark's widest exact decimal.
_UNBOUNDED_NUMERIC = pa.decimal128(38, 10)


def _arrow_type(data_type: str, precision: int | None, scale: int | None) -> pa.DataType:
    simple = {
        "text": pa.string(),
        "character varying": pa.string(),
        "name": pa.string(),
        "jsonb": pa.string(),
        "json": pa.string(),
        "bigint": pa.int64(),
        "integer": pa.int32(),
        "smallint": pa.int16(),
        "boolean": pa.bool_(),
        "date": pa.date32(),
        "double precision": pa.float64(),
        "real": pa.float32(),
        "timestamp with time zone": pa.timestamp("us", tz="UTC"),
        "timestamp without time zone": pa.timestamp("us"),
    }
    if data_type == "numeric":
        return pa.decimal128(precision, scale) if precision else _UNBOUNDED_NUMERIC
    if data_type in simple:
        return simple[data_type]
    raise ValueError(f"raw_parquet: no Parquet type for PostgreSQL {data_type}")


def _tables(cur) -> list[tuple[str, str]]:
    cur.execute(
        "select table_schema, table_name from information_schema.tables"
        " where (table_schema like %s or table_schema = any(%s))"
        " and table_type in ('BASE TABLE', 'VIEW')"
        " order by 1, 2",
        (RAW_SCHEMA_PATTERN, list(OTHER_SCHEMAS)),
    )
    return cur.fetchall()


def export_raw_schemas(url: str, root: Path) -> dict[str, Path]:
    """Write every raw table as Parquet under `root`; returns `schema.table` -> its folder."""
    written = {}
    with psycopg2.connect(url) as conn, conn.cursor() as cur:
        for schema, table in _tables(cur):
            cur.execute(
                "select column_name, data_type, numeric_precision, numeric_scale"
                " from information_schema.columns where table_schema = %s and table_name = %s"
                " order by ordinal_position",
                (schema, table),
            )
            columns = cur.fetchall()
            arrow_schema = pa.schema(
                [(name, _arrow_type(kind, digits, scale)) for name, kind, digits, scale in columns]
            )
            casts = ", ".join(
                f'"{name}"::text' if kind in ("jsonb", "json") else f'"{name}"'
                for name, kind, *_ in columns
            )
            cur.execute(f'select {casts} from "{schema}"."{table}"')  # noqa: S608
            rows = cur.fetchall()
            data = pa.Table.from_pylist(
                [dict(zip([name for name, *_ in columns], row, strict=True)) for row in rows],
                schema=arrow_schema,
            )
            folder = root / schema / table
            folder.mkdir(parents=True, exist_ok=True)
            pq.write_table(data, folder / "part-0.parquet")
            written[f"{schema}.{table}"] = folder
    return written


def spark_identifier(name: str) -> str:
    """A Spark SQL identifier in backticks."""
    if not re.fullmatch(r"[A-Za-z0-9_]+", name):
        raise ValueError(f"raw_parquet: unexpected name {name!r}")
    return f"`{name}`"
