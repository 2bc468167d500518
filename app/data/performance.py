"""Targets and attainment from `marts.fct_target_attainment`."""

from __future__ import annotations

from datetime import date

import pandas as pd
import streamlit as st

from app.data.connection import CACHE_TTL_S, Reader
from app.data.selection import Selection

_ATTAINMENT = """
    select
        scope_type, scope_id, scope_name, metric, period_type, period_start, period_end_date,
        target_origin, is_derived, target_amount, actual_amount, attainment_pct, elapsed_pct,
        pace_pct, projected_amount, gap_to_target, is_behind_pace, period_status, data_date
    from marts.fct_target_attainment
    where period_type = :grain
        and period_start = :period_start
        and (cast(:scope_type as text) is null or scope_type = :scope_type)
        and (cast(:scope_id as text) is null or scope_id = :scope_id)
    order by scope_type, scope_name, metric
"""


@st.cache_data(ttl=CACHE_TTL_S, show_spinner=False)
def attainment(
    reader: Reader,
    grain: str,
    period_start: date,
    scope_type: str | None = None,
    scope_id: str | None = None,
) -> pd.DataFrame:
    """Target, actual, attainment and pace per scope and metric for one period (rows the viewer
    may see only: a manager's teams and reps, a rep's own)."""
    return reader.read(
        _ATTAINMENT,
        grain=grain,
        period_start=period_start,
        scope_type=scope_type,
        scope_id=scope_id,
    )


@st.cache_data(ttl=CACHE_TTL_S, show_spinner=False)
def team_reps(reader: Reader, team_id: str, period_start: date, period_end: date) -> list[str]:
    """Reps on `team_id` at any time in `[period_start, period_end)`: the team drill-down."""
    frame = reader.read(
        """
        select distinct rep_id
        from marts.dim_reps
        where team_id = :team_id
            and valid_from < :period_end
            and (valid_to is null or valid_to > :period_start)
        order by rep_id
        """,
        team_id=team_id,
        period_start=period_start,
        period_end=period_end,
    )
    return frame["rep_id"].tolist()


@st.cache_data(ttl=CACHE_TTL_S, show_spinner=False)
def behind_pace(
    reader: Reader,
    grain: str,
    period_start: date,
    period_end: date,
    team_id: str | None = None,
    rep_id: str | None = None,
) -> pd.DataFrame:
    """Team and rep rows behind pace for one period, each with the team it is grouped under (a
    rep's: the team they were on last in the period), under the sidebar's team and rep filters:
    a team keeps its own rows and its reps'; a rep keeps only theirs."""
    return reader.read(
        """
        with period_teams as (
            select distinct on (reps.rep_id) reps.rep_id, reps.team_id, reps.team_name
            from marts.dim_reps as reps
            where reps.valid_from < :period_end
                and (reps.valid_to is null or reps.valid_to > :period_start)
            order by reps.rep_id, reps.valid_from desc
        ),
        behind as (
            select
                attainment.*,
                case when attainment.scope_type = 'team' then attainment.scope_id
                    else period_teams.team_id end as team_id,
                case when attainment.scope_type = 'team' then attainment.scope_name
                    else period_teams.team_name end as team_name
            from marts.fct_target_attainment as attainment
            left join period_teams
                on attainment.scope_type = 'rep' and attainment.scope_id = period_teams.rep_id
            where attainment.period_type = :grain
                and attainment.period_start = :period_start
                and attainment.scope_type in ('team', 'rep')
                and attainment.is_behind_pace
        )
        select
            scope_type, scope_id, scope_name, metric, target_amount, actual_amount,
            attainment_pct, elapsed_pct, projected_amount, gap_to_target,
            coalesce(team_id, '') as team_id, coalesce(team_name, '') as team_name
        from behind
        where (cast(:team_id as text) is null or team_id = :team_id)
            and (cast(:rep_id as text) is null or (scope_type = 'rep' and scope_id = :rep_id))
        order by team_name, metric, scope_type desc, scope_name
        """,
        grain=grain,
        period_start=period_start,
        period_end=period_end,
        team_id=team_id,
        rep_id=rep_id,
    )


@st.cache_data(ttl=CACHE_TTL_S, show_spinner=False)
def count_actuals(reader: Reader, selection: Selection) -> pd.Series:
    """New customers, visits and deals won in the selection, whether or not anyone set a target
    for them (the attainment mart has rows only where there is a target). Visits and new
    customers count for the team the rep was on that month; deals for their credited team."""
    frame = reader.read(
        """
        with activity as (
            select
                coalesce(sum(new_customers), 0) as new_customers,
                coalesce(sum(visit_count), 0) as visits
            from marts.fct_rep_activity_monthly
            where month_start >= :start and month_start < :end
                and (cast(:team_id as text) is null or team_id = :team_id)
                and (cast(:rep_id as text) is null or rep_id = :rep_id)
        ),
        won as (
            select count(*) as deals_won
            from marts.fct_deals
            where is_won and closed_date >= :start and closed_date < :end
                and (cast(:team_id as text) is null or team_id = :team_id)
                and (cast(:rep_id as text) is null or rep_id = :rep_id)
        )
        select activity.new_customers, activity.visits, won.deals_won
        from activity
        cross join won
        """,
        **selection.params(),
    )
    return frame.iloc[0].astype(int)
