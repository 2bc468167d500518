{#-
    Each open deal of each forecast day with the empirical probability it will be won: the win
    rate of the narrowest cell holding at least `forecast_min_closed_deals` closed deals by that
    day (stage x age x size, then stage x age, stage, every stage), else the CRM's stage
    probability. `win_rate_basis` names the cell used, so a thin history shows.
-#}
with

snapshots as (
    select * from {{ ref('int_forecast_pipeline_snapshots') }}
),

win_rates as (
    select * from {{ ref('int_forecast_win_rates_learned') }}
    where closed_deal_count >= {{ var('forecast_min_closed_deals') }}
),

matched as (
    select
        snapshots.*,
        stage_age_size.win_rate as stage_age_size_rate,
        stage_age.win_rate as stage_age_rate,
        stage_only.win_rate as stage_rate,
        every_stage.win_rate as every_stage_rate
    from snapshots
    left join win_rates as stage_age_size
        on
            snapshots.snapshot_date = stage_age_size.snapshot_date
            and stage_age_size.pool_level = 'stage_age_size'
            and snapshots.stage_id = stage_age_size.stage_id
            and snapshots.age_band = stage_age_size.age_band
            and snapshots.size_band = stage_age_size.size_band
    left join win_rates as stage_age
        on
            snapshots.snapshot_date = stage_age.snapshot_date
            and stage_age.pool_level = 'stage_age'
            and snapshots.stage_id = stage_age.stage_id
            and snapshots.age_band = stage_age.age_band
    left join win_rates as stage_only
        on
            snapshots.snapshot_date = stage_only.snapshot_date
            and stage_only.pool_level = 'stage'
            and snapshots.stage_id = stage_only.stage_id
    left join win_rates as every_stage
        on
            snapshots.snapshot_date = every_stage.snapshot_date
            and every_stage.pool_level = 'all'
),

final as (
    select
        matched.pipeline_snapshot_id,
        matched.snapshot_date,
        matched.deal_id,
        matched.rep_id,
        matched.team_id,
        matched.region_id,
        matched.stage_id,
        matched.stage_label,
        matched.age_band,
        matched.size_band,
        matched.amount,
        matched.crm_probability,
        matched.forecast_category,
        matched.expected_close_date,
        cast(
            coalesce(
                matched.stage_age_size_rate,
                matched.stage_age_rate,
                matched.stage_rate,
                matched.every_stage_rate,
                matched.crm_probability
            ) as numeric(9, 4)
        ) as empirical_probability,
        case
            when matched.stage_age_size_rate is not null then 'stage_age_size'
            when matched.stage_age_rate is not null then 'stage_age'
            when matched.stage_rate is not null then 'stage'
            when matched.every_stage_rate is not null then 'all'
            else 'crm_probability'
        end as win_rate_basis
    from matched
)

select * from final
