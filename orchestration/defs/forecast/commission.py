"""Expected commission: what each rep earns in the forecast month if the expected deals close.

The plan rules have one engine, the dbt commission chain (models/intermediate/incentives). This
asset runs the chain's models a second time with the var `commission_scenario: forecast`: their one
input switch (`commission_order_lines()`) makes them credit the forecast month's booked order
lines plus the open deals expected in it, each weighted by its empirical win probability
(`int_forecast_order_lines_expected`), and `generate_schema_name` puts them in the schema
`commission_forecast`, leaving the actual chain in `intermediate` untouched. The forecast month's
computed lines of both scenarios are then summed per rep into `marts.fct_expected_commissions`,
with the grants and row-level security of every mart (`app_meta.protect_mart`).
"""

import json
import os
import subprocess
from typing import Any

import psycopg2
import yaml
from dagster import (
    AssetCheckResult,
    AssetExecutionContext,
    AssetKey,
    MaterializeResult,
    asset,
    asset_check,
)

from ingestion.platform.warehouse_url import connection_environment, warehouse_url
from orchestration.defs.forecast.tables import fetch_all, protect_mart
from orchestration.locks import advisory_lock
from orchestration.resources import (
    DBT_EXECUTABLE,
    DBT_PROJECT_DIR,
    DBT_PROJECT_FLAGS,
    dbt_target_for_connection,
)

SCENARIO = "forecast"
SCENARIO_SCHEMA = f"commission_{SCENARIO}"
# The chain's models the scenario rebuilds, from the credited order lines to the computed lines
# (the periods and rep periods too: the forecast month may have no booked event yet). Passed to
# dbt as `commission_scenario_models`, so generate_schema_name moves exactly these.
SCENARIO_MODELS = (
    "int_order_line_credits_split",
    "int_incentive_periods_spanned",
    "int_rep_periods_planned",
    "int_commission_lines_revenue",
    "int_commission_lines_period",
    "int_commission_lines_computed",
)
# Its own target folder (per warehouse connection): the project's manifest (which Dagster reads)
# and its partial-parse state are left alone, and this run's partial parse is kept for the next
# build on the same warehouse.
SCENARIO_PURPOSE = f"commission_{SCENARIO}"

SCHEMA = "marts"
TABLE = "fct_expected_commissions"
EXPECTED_KEY = AssetKey([SCHEMA, TABLE])

CREATE_TABLE = f"""
create table if not exists {SCHEMA}.{TABLE} (
    expected_commission_id text primary key,
    rep_id text not null,
    team_id text,
    period_start date not null,
    forecast_date date not null,
    plan_id text,
    plan_version integer,
    expected_deal_count integer not null,
    booked_credited_amount numeric(18, 2) not null,
    expected_credited_amount numeric(18, 2) not null,
    booked_commission_amount numeric(18, 2) not null,
    expected_commission_amount numeric(18, 2) not null,
    added_commission_amount numeric(18, 2) not null,
    amount_currency text not null
);
comment on table {SCHEMA}.{TABLE} is
    'Per rep, the forecast month''s commission as booked so far and as expected if the open deals'
    ' due in it close, each weighted by its empirical win probability, computed by the commission'
    ' chain itself (scenario forecast); written by Dagster (docs/forecast.md).'
"""

# Sums of the engine's rounded lines, never rounded again (docs/incentives.md).
EXPECTED_ROWS = f"""
with forecast_month as (
    select
        data_date as forecast_date,
        cast(date_trunc('month', data_date + 1) as date) as period_start
    from intermediate.int_data_date
),
credits as (
    select
        credits.rep_id,
        count(distinct credits.deal_id) filter (where lines.is_expected) as expected_deal_count,
        sum(credits.credited_amount) filter (where not lines.is_expected) as booked_amount,
        sum(credits.credited_amount) filter (where lines.is_expected) as expected_amount
    from {SCENARIO_SCHEMA}.int_order_line_credits_split as credits
    join intermediate.int_forecast_order_lines_expected as lines
        on credits.order_line_id = lines.order_line_id
    group by credits.rep_id
),
booked as (
    select lines.rep_id, sum(lines.amount) as amount
    from intermediate.int_commission_lines_computed as lines
    join forecast_month using (period_start)
    group by lines.rep_id
),
expected as (
    select lines.rep_id, sum(lines.amount) as amount
    from {SCENARIO_SCHEMA}.int_commission_lines_computed as lines
    join forecast_month using (period_start)
    group by lines.rep_id
),
rep_periods as (
    select periods.rep_id, periods.team_id, periods.plan_id, periods.plan_version
    from {SCENARIO_SCHEMA}.int_rep_periods_planned as periods
    join forecast_month using (period_start)
),
reps as (
    select rep_id from rep_periods
    union select rep_id from credits
    union select rep_id from booked
    union select rep_id from expected
)
select
    reps.rep_id || '/' || to_char(forecast_month.period_start, 'YYYY-MM'),
    reps.rep_id,
    rep_periods.team_id,
    forecast_month.period_start,
    forecast_month.forecast_date,
    rep_periods.plan_id,
    rep_periods.plan_version,
    coalesce(credits.expected_deal_count, 0),
    coalesce(credits.booked_amount, 0),
    coalesce(credits.expected_amount, 0),
    coalesce(booked.amount, 0),
    coalesce(expected.amount, 0),
    coalesce(expected.amount, 0) - coalesce(booked.amount, 0),
    %(currency)s
from reps
cross join forecast_month
left join rep_periods on reps.rep_id = rep_periods.rep_id
left join credits on reps.rep_id = credits.rep_id
left join booked on reps.rep_id = booked.rep_id
left join expected on reps.rep_id = expected.rep_id
order by reps.rep_id
"""


def reporting_currency() -> str:
    """The currency every chain amount is in: the dbt var `reporting_currency`."""
    project = yaml.safe_load((DBT_PROJECT_DIR / "dbt_project.yml").read_text(encoding="utf-8"))
    return str(project["vars"]["reporting_currency"])


def run_forecast_scenario(url: str) -> str:
    """`dbt run` of the chain's models in the forecast scenario: dbt's summary line, or an error
    with dbt's own output."""
    variables = {
        "commission_scenario": SCENARIO,
        "commission_scenario_models": list(SCENARIO_MODELS),
    }
    environment = {**os.environ, **connection_environment(url)}
    command = [
        str(DBT_EXECUTABLE),
        "run",
        "--select",
        *SCENARIO_MODELS,
        "--vars",
        json.dumps(variables),
        # the scenario is recomputed whole from its small input, never incrementally
        "--full-refresh",
        *DBT_PROJECT_FLAGS,
        "--target-path",
        str(dbt_target_for_connection(SCENARIO_PURPOSE, environment)),
    ]
    done = subprocess.run(
        command,
        env=environment,
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        raise RuntimeError(
            f"the forecast scenario of the commission chain failed (dbt exit {done.returncode}):"
            f"\n{done.stdout[-4000:]}{done.stderr[-2000:]}"
        )
    lines = done.stdout.strip().splitlines()
    return lines[-1] if lines else ""


def _write(cur: Any, currency: str) -> int:
    cur.execute(CREATE_TABLE)
    cur.execute(f"truncate table {SCHEMA}.{TABLE}")
    cur.execute(f"insert into {SCHEMA}.{TABLE} {EXPECTED_ROWS}", {"currency": currency})
    written = cur.rowcount
    protect_mart(cur, f"{SCHEMA}.{TABLE}")
    return written


@asset(
    key=EXPECTED_KEY,
    deps=[
        AssetKey(["intermediate", "int_forecast_order_lines_expected"]),
        AssetKey(["intermediate", "int_commission_lines_computed"]),
    ],
    group_name=SCHEMA,
    kinds={"dbt", "postgres"},
    description="Each rep's expected commission of the forecast month (docs/forecast.md).",
)
def fct_expected_commissions(context: AssetExecutionContext) -> MaterializeResult:
    url = warehouse_url()
    with advisory_lock(url, "dbt_build", log=context.log.info):
        context.log.info(f"dbt, scenario {SCENARIO}: {run_forecast_scenario(url)}")
    conn = psycopg2.connect(url)
    try:
        with conn, conn.cursor() as cur:
            rows = _write(cur, reporting_currency())
    finally:
        conn.close()
    context.log.info(f"{rows} expected commissions (scenario schema {SCENARIO_SCHEMA})")
    return MaterializeResult(metadata={"rows": rows, "scenario_schema": SCENARIO_SCHEMA})


@asset_check(
    asset=EXPECTED_KEY,
    description="Deals expected to close never lower a rep's commission below what is booked.",
)
def expected_commission_is_not_below_booked() -> AssetCheckResult:
    bad = fetch_all(
        f"select rep_id, booked_commission_amount, expected_commission_amount from {SCHEMA}.{TABLE}"
        f" where expected_commission_amount < booked_commission_amount order by 1 limit 5"
    )
    return AssetCheckResult(passed=not bad, metadata={"sample_rows": str(bad)})


@asset_check(
    asset=EXPECTED_KEY,
    description="Every expected line's credit reaches a rep of the mart (nothing lost silently).",
)
def expected_credits_reconcile() -> AssetCheckResult:
    rows = fetch_all(
        f"select (select coalesce(sum(gross_reporting_amount), 0)"
        f" from intermediate.int_forecast_order_lines_expected where is_expected),"
        f" (select coalesce(sum(expected_credited_amount), 0) from {SCHEMA}.{TABLE})"
    )
    lines, credited = rows[0]
    return AssetCheckResult(
        passed=lines == credited,
        metadata={"expected_lines_amount": str(lines), "credited_amount": str(credited)},
    )
