"""The forecast store: every forecast as it was made, never rewritten (schema `forecast_history`).

The marts recompute every past forecast day on each build from today's data (the backtest), so
a deal edited later changes yesterday's reconstructed forecast. What a manager was actually shown
is kept here: each build appends the forecasts (and their Monte Carlo range) of every forecast day
not stored yet and never touches a stored row (`on conflict do nothing`), like the closed
commission months. On the first build every earlier day is stored at once, marked `is_backtest`;
from then on each day's forecast is stored as made. Nothing in the pipeline drops this schema.
"""

from typing import Any

import psycopg2
from dagster import (
    AssetCheckResult,
    AssetExecutionContext,
    AssetKey,
    MaterializeResult,
    asset,
    asset_check,
)

from ingestion.platform.warehouse_url import warehouse_url
from orchestration.defs.forecast.ranges import RANGES_KEY

STORE_SCHEMA = "forecast_history"
STORE_TABLE = "forecasts"
STORE_KEY = AssetKey([STORE_SCHEMA, STORE_TABLE])
RANGE_COLUMNS = ("p10_amount", "p50_amount", "p90_amount")

CREATE_STORE = f"""
create schema if not exists {STORE_SCHEMA};
create table if not exists {STORE_SCHEMA}.{STORE_TABLE}
    (like marts.fct_forecasts including defaults including constraints including indexes);
alter table {STORE_SCHEMA}.{STORE_TABLE}
    add column if not exists p10_amount numeric(18, 2),
    add column if not exists p50_amount numeric(18, 2),
    add column if not exists p90_amount numeric(18, 2),
    add column if not exists is_backtest boolean not null default false,
    add column if not exists stored_at timestamptz not null default now();
comment on table {STORE_SCHEMA}.{STORE_TABLE} is
    'Each forecast as it was made (fct_forecasts + its Monte Carlo range), never rewritten'
    ' (orchestration/defs/forecast/history.py).'
"""


def _shared_columns(cur: Any) -> list[str]:
    """The mart's columns the store has (the store only grows, as the mart's contract does)."""
    cur.execute(
        "select column_name from information_schema.columns where table_schema = 'marts'"
        " and table_name = 'fct_forecasts' and column_name in (select column_name from"
        " information_schema.columns where table_schema = %s and table_name = %s)"
        " order by ordinal_position",
        (STORE_SCHEMA, STORE_TABLE),
    )
    return [row[0] for row in cur.fetchall()]


def store_forecasts(url: str) -> int:
    """Append every forecast not stored yet; returns how many rows were added."""
    conn = psycopg2.connect(url)
    try:
        with conn, conn.cursor() as cur:
            cur.execute(CREATE_STORE)
            columns = _shared_columns(cur)
            listed = ", ".join(columns + list(RANGE_COLUMNS))
            selected = ", ".join(
                [f"forecasts.{name}" for name in columns]
                + [f"ranges.{name}" for name in RANGE_COLUMNS]
            )
            cur.execute(
                f"insert into {STORE_SCHEMA}.{STORE_TABLE} ({listed}, is_backtest)"
                f" select {selected},"
                " forecasts.forecast_date < max(forecasts.forecast_date) over ()"
                " from marts.fct_forecasts as forecasts"
                f" left join {RANGES_KEY.path[0]}.{RANGES_KEY.path[1]} as ranges"
                " on forecasts.forecast_id = ranges.forecast_id"
                " on conflict (forecast_id) do nothing"
            )
            return cur.rowcount
    finally:
        conn.close()


@asset(
    key=STORE_KEY,
    deps=[AssetKey(["marts", "fct_forecasts"]), RANGES_KEY],
    group_name=STORE_SCHEMA,
    kinds={"postgres"},
    description="Every forecast as made, appended and never rewritten (docs/forecast.md).",
)
def forecast_history_store(context: AssetExecutionContext) -> MaterializeResult:
    added = store_forecasts(warehouse_url())
    context.log.info(f"{added} forecasts stored")
    return MaterializeResult(metadata={"added": added})


@asset_check(asset=STORE_KEY, description="Every forecast of the marts is in the store.")
def every_forecast_is_stored() -> AssetCheckResult:
    conn = psycopg2.connect(warehouse_url())
    try:
        with conn, conn.cursor() as cur:
            cur.execute(
                "select forecast_id from marts.fct_forecasts as forecasts where not exists"
                f" (select 1 from {STORE_SCHEMA}.{STORE_TABLE} as stored"
                " where stored.forecast_id = forecasts.forecast_id) order by 1 limit 5"
            )
            missing = [row[0] for row in cur.fetchall()]
    finally:
        conn.close()
    return AssetCheckResult(passed=not missing, metadata={"sample_rows": str(missing)})
