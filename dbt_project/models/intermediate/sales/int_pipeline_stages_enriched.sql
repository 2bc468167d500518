with

pipelines as (
    select * from {{ ref('int_crm_pipelines_unioned') }}
),

stages as (
    select * from {{ ref('int_crm_pipeline_stages_unioned') }}
),

stage_visits as (
    select * from {{ ref('int_deal_stage_visits_sequenced') }}
),

finished_dwell as (
    select
        stage_id,
        percentile_cont(0.9) within group (order by dwell_days) as p90_dwell_days
    from stage_visits
    where dwell_days is not null
    group by stage_id
),

final as (
    select
        stages.stage_id,
        stages.pipeline_id,
        pipelines.pipeline_label,
        pipelines.display_order as pipeline_display_order,
        stages.stage_label,
        stages.display_order as stage_display_order,
        stages.is_closed,
        stages.is_won,
        stages.is_closed and not stages.is_won as is_lost,
        cast(stages.win_probability as numeric(9, 4)) as win_probability,
        cast(finished_dwell.p90_dwell_days as numeric(10, 2)) as p90_dwell_days,
        stages.source_system
    from stages
    inner join pipelines
        on stages.pipeline_id = pipelines.pipeline_id
    left join finished_dwell
        on stages.stage_id = finished_dwell.stage_id
)

select * from final
