"""The funnel: `marts.fct_funnel_stages` summed over the filters, and deal-level detail from
`fct_deals` and `fct_deal_stage_history` where a figure cannot be summed (medians, outliers)."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from app.data.connection import CACHE_TTL_S, Reader
from app.data.selection import Selection

# Constant SQL conditions shared by the queries below; every value is a bound parameter.
_FILTERS = """
    (cast(:pipeline_id as text) is null or {alias}.pipeline_id = :pipeline_id)
    and (cast(:team_id as text) is null or {alias}.team_id = :team_id)
    and (cast(:rep_id as text) is null or {alias}.rep_id = :rep_id)
    and (cast(:lead_source as text) is null or {alias}.lead_source = :lead_source)
"""
FUNNEL_FILTERS = _FILTERS.format(alias="cells")
DEAL_FILTERS = _FILTERS.format(alias="deals")


@st.cache_data(ttl=CACHE_TTL_S, show_spinner=False)
def stages(reader: Reader, selection: Selection) -> pd.DataFrame:
    """Per pipeline and stage, for deals entering the stage in `[start, end)`: entered, advanced,
    won, lost and still open; conversion and loss rate by count; weighted average dwell days."""
    return reader.read(
        f"""
        select
            cells.pipeline_id,
            max(cells.pipeline_label) as pipeline_label,
            cells.stage_id,
            max(cells.stage_label) as stage_label,
            max(cells.stage_display_order) as stage_display_order,
            bool_or(cells.is_closed_stage) as is_closed_stage,
            bool_or(cells.is_won_stage) as is_won_stage,
            sum(cells.deals_entered) as deals_entered,
            sum(cells.deals_advanced) as deals_advanced,
            sum(cells.deals_won) as deals_won,
            sum(cells.deals_lost_at_stage) as deals_lost_at_stage,
            sum(cells.deals_open_at_stage) as deals_open_at_stage,
            sum(cells.entered_amount) as entered_amount,
            sum(cells.advanced_amount) as advanced_amount,
            case when not bool_or(cells.is_closed_stage) then round(
                1.0 * sum(cells.deals_advanced) / nullif(sum(cells.deals_entered), 0), 4
            ) end as conversion_rate,
            case when not bool_or(cells.is_closed_stage) then round(
                1.0 * sum(cells.deals_lost_at_stage) / nullif(sum(cells.deals_entered), 0), 4
            ) end as loss_rate,
            round(
                sum(cells.avg_dwell_days * cells.dwell_deal_count)
                / nullif(sum(cells.dwell_deal_count), 0),
                2
            ) as avg_dwell_days
        from marts.fct_funnel_stages as cells
        where cells.entry_month >= :start and cells.entry_month < :end
            and {FUNNEL_FILTERS}
        group by cells.pipeline_id, cells.stage_id
        order by pipeline_label, stage_display_order
        """,
        **selection.params(),
    )


@st.cache_data(ttl=CACHE_TTL_S, show_spinner=False)
def median_dwell(reader: Reader, selection: Selection) -> pd.DataFrame:
    """Median dwell days per stage of the finished stage visits entered in `[start, end)`."""
    return reader.read(
        f"""
        select
            history.stage_id,
            round(cast(percentile_cont(0.5) within group (order by history.dwell_days)
                as numeric), 2) as median_dwell_days
        from marts.fct_deal_stage_history as history
        inner join marts.fct_deals as deals on history.deal_id = deals.deal_id
        where history.entered_at >= :start and history.entered_at < :end
            and history.dwell_days is not null
            and {DEAL_FILTERS}
        group by history.stage_id
        """,
        **selection.params(),
    )


@st.cache_data(ttl=CACHE_TTL_S, show_spinner=False)
def loss_reasons(reader: Reader, selection: Selection) -> pd.DataFrame:
    """Deals lost in `[start, end)` per loss reason."""
    return reader.read(
        f"""
        select coalesce(deals.loss_reason, '') as loss_reason, count(*) as deals_lost
        from marts.fct_deals as deals
        where deals.is_closed and not deals.is_won
            and deals.closed_date >= :start and deals.closed_date < :end
            and {DEAL_FILTERS}
        group by 1
        order by deals_lost desc, loss_reason
        """,
        **selection.params(),
    )


@st.cache_data(ttl=CACHE_TTL_S, show_spinner=False)
def lead_source_quality(reader: Reader, selection: Selection) -> pd.DataFrame:
    """Per lead source, the cohort of deals created in `[start, end)` and what became of them by
    now: how many, won, lost, still open, win rate (won / closed) and won amount in the reporting
    currency. A cohort, not the deals won in the period: a source is judged by its own deals."""
    return reader.read(
        f"""
        select
            coalesce(deals.lead_source, '') as lead_source,
            count(*) as deals_created,
            count(*) filter (where deals.is_won) as deals_won,
            count(*) filter (where deals.is_closed and not deals.is_won) as deals_lost,
            count(*) filter (where not deals.is_closed) as deals_open,
            round(1.0 * count(*) filter (where deals.is_won)
                / nullif(count(*) filter (where deals.is_closed), 0), 4) as win_rate,
            coalesce(sum(deals.deal_reporting_amount) filter (where deals.is_won), 0)
                as won_amount
        from marts.fct_deals as deals
        where deals.created_date >= :start and deals.created_date < :end
            and {DEAL_FILTERS}
        group by 1
        order by win_rate desc nulls last, deals_created desc
        """,
        **selection.params(),
    )


@st.cache_data(ttl=CACHE_TTL_S, show_spinner=False)
def stuck_deals(reader: Reader, selection: Selection) -> pd.DataFrame:
    """Open deals that have sat in their current stage longer than the 90th percentile of the
    finished visits to that stage (`dim_pipeline_stages.p90_dwell_days`), as of the data date
    (the period does not apply: a deal is stuck now or not), with the owner to chase."""
    return reader.read(
        f"""
        with as_of as (
            select coalesce(max(data_date), current_date) as data_date
            from marts.fct_target_attainment
        ),
        owners as (
            select distinct on (rep_id) rep_id, full_name
            from marts.dim_reps
            order by rep_id, valid_from desc
        )
        select
            deals.deal_id, deals.deal_name, deals.pipeline_label, deals.stage_label,
            deals.rep_id, coalesce(owners.full_name, deals.rep_id) as owner_name,
            deals.deal_reporting_amount, deals.reporting_currency,
            history.entered_at,
            round(cast(extract(epoch from (as_of.data_date + interval '1 day' - history.entered_at))
                / 86400 as numeric), 1) as days_in_stage,
            round(stages.p90_dwell_days, 1) as p90_dwell_days
        from marts.fct_deal_stage_history as history
        inner join marts.fct_deals as deals on history.deal_id = deals.deal_id
        inner join marts.dim_pipeline_stages as stages on history.stage_id = stages.stage_id
        left join owners on deals.rep_id = owners.rep_id
        cross join as_of
        where history.is_current_stage and not deals.is_closed
            and as_of.data_date + interval '1 day' - history.entered_at
                > stages.p90_dwell_days * interval '1 day'
            and {DEAL_FILTERS}
        order by days_in_stage desc
        """,
        **selection.params(),
    )
