{#-
    Empirical win rates as they could be known on each forecast day: of the deals seen open in a
    cell (stage x days-in-stage band x size band) on an earlier forecast day and closed by the day,
    the share won. Learning only from deals closed by the day keeps the backtest honest (a past
    forecast never uses outcomes that came later).

    Each cell is also pooled up (stage x age, stage, every stage) so a thin cell can fall back on
    a wider one (int_forecast_deals_scored). A deal counts once per cell however many forecast
    days saw it there.
-#}
with

snapshots as (
    select * from {{ ref('int_forecast_pipeline_snapshots') }}
),

forecast_days as (
    select distinct snapshot_date
    from snapshots
),

closed_observations as (
    select distinct
        deal_id,
        stage_id,
        age_band,
        size_band,
        closed_date,
        is_won
    from snapshots
    where closed_date is not null
),

{# Each observation once per pool level; '*' stands for every value of a pooled dimension. #}
{%- set pool_levels = {
    'stage_age_size': ['stage_id', 'age_band', 'size_band'],
    'stage_age': ['stage_id', 'age_band'],
    'stage': ['stage_id'],
    'all': [],
} %}
pooled as (
    {%- for pool_level, kept in pool_levels.items() %}
    select
        '{{ pool_level }}' as pool_level,
        {%- for dimension in ['stage_id', 'age_band', 'size_band'] %}
        {{ dimension if dimension in kept else "'*'" }} as {{ dimension }},
        {%- endfor %}
        deal_id,
        closed_date,
        is_won
    from closed_observations
    {% if not loop.last %}union all{% endif %}
    {%- endfor %}
),

{#
    A deal enters a cell's counts on the first day it is known closed there (and its won count on
    the first day it is known won): counting distinct deals closed by each forecast day is then a
    running sum of these first days, per cell, read on each forecast day. Joining every forecast
    day to every observation before it instead grew with days x deals (30 s of 112 s of the full
    build at bench scale S).
#}
first_known as (
    select
        pool_level,
        stage_id,
        age_band,
        size_band,
        deal_id,
        min(closed_date) as first_closed_date,
        min(case when is_won then closed_date end) as first_won_date
    from pooled
    group by pool_level, stage_id, age_band, size_band, deal_id
),

cell_increments as (
    select
        pool_level,
        stage_id,
        age_band,
        size_band,
        first_closed_date as step_date,
        0 as is_forecast_day,
        1 as closed_increment,
        case when first_won_date = first_closed_date then 1 else 0 end as won_increment
    from first_known
    union all
    select
        pool_level,
        stage_id,
        age_band,
        size_band,
        first_won_date as step_date,
        0 as is_forecast_day,
        0 as closed_increment,
        1 as won_increment
    from first_known
    where first_won_date > first_closed_date
),

{# One step per cell and day: the window below then sorts days, not deals. #}
daily_increments as (
    select
        pool_level,
        stage_id,
        age_band,
        size_band,
        step_date,
        0 as is_forecast_day,
        sum(closed_increment) as closed_increment,
        sum(won_increment) as won_increment
    from cell_increments
    group by pool_level, stage_id, age_band, size_band, step_date
),

cells as (
    select distinct
        pool_level,
        stage_id,
        age_band,
        size_band
    from first_known
),

{# Each cell read on each forecast day: placed after the day's own increments. #}
cell_days as (
    select
        cells.pool_level,
        cells.stage_id,
        cells.age_band,
        cells.size_band,
        forecast_days.snapshot_date as step_date,
        1 as is_forecast_day,
        0 as closed_increment,
        0 as won_increment
    from cells
    cross join forecast_days
),

steps as (
    select * from daily_increments
    union all
    select * from cell_days
),

running as (
    select
        step_date as snapshot_date,
        is_forecast_day,
        pool_level,
        stage_id,
        age_band,
        size_band,
        sum(closed_increment) over (
            partition by pool_level, stage_id, age_band, size_band
            order by step_date, is_forecast_day
            rows between unbounded preceding and current row
        ) as closed_deal_count,
        sum(won_increment) over (
            partition by pool_level, stage_id, age_band, size_band
            order by step_date, is_forecast_day
            rows between unbounded preceding and current row
        ) as won_deal_count
    from steps
),

learned as (
    select
        snapshot_date,
        pool_level,
        stage_id,
        age_band,
        size_band,
        closed_deal_count,
        won_deal_count
    from running
    where is_forecast_day = 1 and closed_deal_count > 0
),

final as (
    select
        snapshot_date,
        pool_level,
        stage_id,
        age_band,
        size_band,
        cast(closed_deal_count as integer) as closed_deal_count,
        cast(won_deal_count as integer) as won_deal_count,
        cast({{ safe_divide('won_deal_count', 'closed_deal_count') }} as numeric(9, 4))
            as win_rate
    from learned
)

select * from final
