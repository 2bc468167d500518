with

pipelines as (
    select * from {{ ref('stg_crm__pipelines') }}
),

stages as (
    select * from {{ ref('stg_crm__pipeline_stages') }}
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
        cast(stages.win_probability as numeric(9, 4)) as win_probability
    from stages
    inner join pipelines
        on stages.pipeline_id = pipelines.pipeline_id
)

select * from final
