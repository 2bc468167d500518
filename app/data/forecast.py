"""Forecasts, their ranges, the deals that move them and their track record (marts/forecast).

Every query reads the latest forecast day only (today's forecast), except the track record,
which is the backtest of every ended period. Row-level security trims each to what the viewer
may see, as on every mart.
"""

from __future__ import annotations

from datetime import date

import pandas as pd
import streamlit as st

from app.data.connection import CACHE_TTL_S, Reader
from app.data.reps import CURRENT_REPS

_LATEST = "(select max(forecast_date) from marts.fct_forecasts)"

_FORECASTS = f"""
    with names as (
        select distinct scope_type, scope_id, scope_name
        from marts.fct_target_attainment
    )
    select
        forecasts.scope_type, forecasts.scope_id, names.scope_name, forecasts.period_type,
        forecasts.period_start, forecasts.period_end_date, forecasts.forecast_date,
        forecasts.closed_won_amount, forecasts.open_pipeline_amount,
        forecasts.crm_weighted_forecast_amount, forecasts.commit_forecast_amount,
        forecasts.best_case_forecast_amount, forecasts.empirical_forecast_amount,
        ranges.p10_amount, ranges.p50_amount, ranges.p90_amount, forecasts.target_amount,
        forecasts.gap_to_target_amount, forecasts.pipeline_coverage
    from marts.fct_forecasts as forecasts
    left join marts.fct_forecast_ranges as ranges
        on forecasts.forecast_id = ranges.forecast_id
    left join names
        on forecasts.scope_type = names.scope_type and forecasts.scope_id = names.scope_id
    where forecasts.forecast_date = {_LATEST}
        and forecasts.period_type = :period_type
    order by forecasts.scope_type, forecasts.scope_id
"""

# A deal's weight on the outcome: the spread its win or loss adds to the total, the standard
# deviation of a won-or-lost amount (amount x sqrt(p x (1 - p))).
_DEALS = f"""
    select
        pipeline.deal_id, deals.deal_name, pipeline.rep_id, pipeline.team_id,
        pipeline.stage_label, pipeline.amount, pipeline.crm_probability,
        pipeline.empirical_probability, pipeline.win_rate_basis, pipeline.expected_close_date,
        pipeline.close_date_push_count, pipeline.amount_change_count,
        pipeline.amount
            * sqrt(pipeline.empirical_probability * (1 - pipeline.empirical_probability))
            as swing_amount
    from marts.fct_forecast_pipeline as pipeline
    left join marts.fct_deals as deals
        on pipeline.deal_id = deals.deal_id
    where pipeline.snapshot_date = {_LATEST}
        and pipeline.expected_close_date <= :period_end
    order by swing_amount desc, pipeline.amount desc, pipeline.deal_id
    limit :top
"""

# Each rep's commission of the forecast month, booked and expected (the commission chain's forecast
# scenario, orchestration/defs/forecast/commission.py); row-level security keeps a rep to their own
# row and a manager to their team's.
_EXPECTED_COMMISSIONS = f"""
    with {CURRENT_REPS}
    select
        expected.rep_id, current_reps.full_name, expected.period_start, expected.forecast_date,
        expected.expected_deal_count, expected.booked_credited_amount,
        expected.expected_credited_amount, expected.booked_commission_amount,
        expected.expected_commission_amount, expected.added_commission_amount,
        expected.amount_currency
    from marts.fct_expected_commissions as expected
    left join current_reps
        on expected.rep_id = current_reps.rep_id
    where expected.booked_commission_amount != 0 or expected.expected_commission_amount != 0
    order by expected.rep_id
"""

_ACCURACY = """
    select
        period_start, forecast_point, forecast_method, forecast_amount, actual_amount,
        error_amount, wape, bias, period_count
    from marts.fct_forecast_accuracy
    where scope_type = :scope_type and scope_id = :scope_id and period_type = :period_type
    order by period_start, forecast_point desc, forecast_method
"""


@st.cache_data(ttl=CACHE_TTL_S, show_spinner=False)
def latest_forecasts(reader: Reader, period_type: str) -> pd.DataFrame:
    """Today's forecast of the month or quarter ahead per scope, with its range and target."""
    return reader.read(_FORECASTS, period_type=period_type)


@st.cache_data(ttl=CACHE_TTL_S, show_spinner=False)
def deals_that_matter(reader: Reader, period_end: date, top: int = 10) -> pd.DataFrame:
    """The open deals due by `period_end` whose outcome moves the total most."""
    return reader.read(_DEALS, period_end=period_end, top=top)


@st.cache_data(ttl=CACHE_TTL_S, show_spinner=False)
def expected_commissions(reader: Reader) -> pd.DataFrame:
    """Each visible rep's commission of the forecast month, booked so far and expected."""
    return reader.read(_EXPECTED_COMMISSIONS)


@st.cache_data(ttl=CACHE_TTL_S, show_spinner=False)
def accuracy_history(
    reader: Reader, scope_type: str, scope_id: str, period_type: str
) -> pd.DataFrame:
    """Each method's forecast at the start and middle of every ended period, against the actual."""
    return reader.read(_ACCURACY, scope_type=scope_type, scope_id=scope_id, period_type=period_type)
