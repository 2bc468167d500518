with

pipelines as (
    select * from {{ source('crm', 'pipelines') }}
),

stages as (
    select * from {{ source('crm', 'pipelines__stages') }}
),

final as (
    select
        stages.id::text as stage_id,
        pipelines.id::text as pipeline_id,
        stages.label as stage_label,
        stages.display_order::integer as display_order,
        stages.metadata__is_closed::boolean as is_closed,
        -- HubSpot marks the won stage as closed with probability 1
        (
            stages.metadata__is_closed::boolean
            and stages.metadata__probability::numeric = 1
        ) as is_won,
        stages.metadata__probability::numeric(9, 4) as win_probability,
        'hubspot' as source_system
    from stages
    inner join pipelines
        on stages._dlt_parent_id = pipelines._dlt_id
)

select * from final
