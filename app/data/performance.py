"""Targets and attainment from `marts.fct_target_attainment`."""

from __future__ import annotations

from datetime import date

import pandas as pd
import streamlit as st

from app.data.connection import CACHE_TTL_S, Reader

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
