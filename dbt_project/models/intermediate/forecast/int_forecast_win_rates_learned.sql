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

learned as (
    select
        forecast_days.snapshot_date,
        pooled.pool_level,
        pooled.stage_id,
        pooled.age_band,
        pooled.size_band,
        count(distinct pooled.deal_id) as closed_deal_count,
        count(distinct case when pooled.is_won then pooled.deal_id end) as won_deal_count
    from forecast_days
    inner join pooled
        on forecast_days.snapshot_date >= pooled.closed_date
    group by
        forecast_days.snapshot_date,
        pooled.pool_level,
        pooled.stage_id,
        pooled.age_band,
        pooled.size_band
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
