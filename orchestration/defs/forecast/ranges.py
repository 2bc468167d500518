"""The Monte Carlo asset: P10/P50/P90 of period-end bookings for today's forecasts.

dbt computes every forecast that SQL expresses well (fct_forecasts); the range needs the joint
outcome of many independent deals, which is numpy's work (simulation.py). This asset reads the
forecasts of the latest forecast day and the open deals of that day from the warehouse, and
writes one row per scope and period to `marts.fct_forecast_ranges`, with the grants and row-level
security of every mart (`app_meta.protect_mart`), replacing the previous day's rows in one
transaction. Bookings = closed won + expected bookings of deals not yet created (both from
fct_forecasts) + the open deals' simulated wins.
"""

from collections import defaultdict
from collections.abc import Iterable
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
from orchestration.defs.forecast.simulation import SEED, OpenDeal, bookings_range
from orchestration.defs.forecast.tables import fetch_all, protect_mart

SCHEMA = "marts"
TABLE = "fct_forecast_ranges"
RANGES_KEY = AssetKey([SCHEMA, TABLE])

CREATE_TABLE = f"""
create table if not exists {SCHEMA}.{TABLE} (
    forecast_id text primary key,
    scope_type text not null,
    scope_id text not null,
    period_type text not null,
    period_start date not null,
    forecast_date date not null,
    open_deal_count integer not null,
    range_method text not null,
    draw_count integer,
    seed bigint not null,
    p10_amount numeric(18, 2) not null,
    p50_amount numeric(18, 2) not null,
    p90_amount numeric(18, 2) not null
);
comment on table {SCHEMA}.{TABLE} is
    'P10/P50/P90 of period-end bookings (closed won + expected new + open deals won at their'
    ' empirical probability) for the latest forecast day; written by Dagster'
    ' (orchestration/defs/forecast, docs/forecast.md).'
"""

FORECASTS = f"""
select forecast_id, scope_type, scope_id, period_type, period_start, period_end_date,
    forecast_date, closed_won_amount + expected_new_amount
from {SCHEMA}.fct_forecasts
where forecast_date = (select max(forecast_date) from {SCHEMA}.fct_forecasts)
order by forecast_id
"""

OPEN_DEALS = f"""
select deal_id, rep_id, team_id, region_id, expected_close_date, amount, empirical_probability
from {SCHEMA}.fct_forecast_pipeline
where snapshot_date = (select max(forecast_date) from {SCHEMA}.fct_forecasts)
    -- as in dbt's sums, a deal without an amount or a probability adds nothing
    and amount is not null and empirical_probability is not null
order by deal_id
"""

SCOPE_COLUMNS = {"rep": 1, "team": 2, "region": 3}


def _deals_by_scope(rows: Iterable[tuple]) -> dict[tuple[str, str], list[tuple]]:
    """Every open deal under each scope it counts in: its rep, team, region and the company."""
    by_scope: dict[tuple[str, str], list[tuple]] = defaultdict(list)
    for row in rows:
        by_scope[("company", "company")].append(row)
        for scope_type, column in SCOPE_COLUMNS.items():
            if row[column] is not None:
                by_scope[(scope_type, row[column])].append(row)
    return by_scope


def compute_ranges(forecasts: list[tuple], open_deals: list[tuple]) -> list[tuple]:
    """One range row per forecast row: its open deals due by the period's end, simulated."""
    by_scope = _deals_by_scope(open_deals)
    rows = []
    for forecast_id, scope_type, scope_id, period_type, start, end, day, known in forecasts:
        due = [
            OpenDeal(amount=row[5], probability=row[6])
            for row in by_scope.get((scope_type, scope_id), [])
            if row[4] <= end
        ]
        result = bookings_range(due, forecast_id)
        rows.append(
            (
                forecast_id,
                scope_type,
                scope_id,
                period_type,
                start,
                day,
                len(due),
                result.method,
                result.draws,
                SEED,
                known + result.p10,
                known + result.p50,
                known + result.p90,
            )
        )
    return rows


def _write(cur: Any, rows: list[tuple]) -> None:
    cur.execute(CREATE_TABLE)
    cur.execute(f"truncate table {SCHEMA}.{TABLE}")
    if rows:
        placeholders = ", ".join(["%s"] * len(rows[0]))
        cur.executemany(f"insert into {SCHEMA}.{TABLE} values ({placeholders})", rows)
    protect_mart(cur, f"{SCHEMA}.{TABLE}")


@asset(
    key=RANGES_KEY,
    deps=[AssetKey([SCHEMA, "fct_forecasts"]), AssetKey([SCHEMA, "fct_forecast_pipeline"])],
    group_name=SCHEMA,
    kinds={"python", "postgres"},
    description="Monte Carlo P10/P50/P90 of period-end bookings per scope (docs/forecast.md).",
)
def fct_forecast_ranges(context: AssetExecutionContext) -> MaterializeResult:
    conn = psycopg2.connect(warehouse_url())
    try:
        with conn, conn.cursor() as cur:
            cur.execute(FORECASTS)
            forecasts = cur.fetchall()
            cur.execute(OPEN_DEALS)
            rows = compute_ranges(forecasts, cur.fetchall())
            _write(cur, rows)
    finally:
        conn.close()
    simulated = sum(1 for row in rows if row[7] == "simulation")
    context.log.info(f"{len(rows)} forecast ranges ({simulated} simulated, the rest exact)")
    return MaterializeResult(metadata={"rows": len(rows), "simulated": simulated})


@asset_check(asset=RANGES_KEY, description="P10 <= P50 <= P90, none below what is already won.")
def forecast_ranges_are_ordered() -> AssetCheckResult:
    bad = fetch_all(
        f"select ranges.forecast_id, ranges.p10_amount, ranges.p50_amount, ranges.p90_amount,"
        f" forecasts.closed_won_amount from {SCHEMA}.{TABLE} as ranges"
        f" join {SCHEMA}.fct_forecasts as forecasts using (forecast_id)"
        f" where not (forecasts.closed_won_amount <= ranges.p10_amount"
        f" and ranges.p10_amount <= ranges.p50_amount and ranges.p50_amount <= ranges.p90_amount)"
        f" order by 1 limit 5"
    )
    return AssetCheckResult(passed=not bad, metadata={"sample_rows": str(bad)})


@asset_check(asset=RANGES_KEY, description="Every forecast of the latest day has its range.")
def every_forecast_has_a_range() -> AssetCheckResult:
    missing = fetch_all(
        f"select forecasts.forecast_id from {SCHEMA}.fct_forecasts as forecasts"
        f" where forecasts.forecast_date = (select max(forecast_date) from {SCHEMA}.fct_forecasts)"
        f" and not exists (select 1 from {SCHEMA}.{TABLE} as ranges"
        f" where ranges.forecast_id = forecasts.forecast_id) order by 1 limit 5"
    )
    return AssetCheckResult(passed=not missing, metadata={"sample_rows": str(missing)})
