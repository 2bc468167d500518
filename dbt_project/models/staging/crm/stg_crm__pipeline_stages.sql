with

pipelines as (
    select * from {{ source('crm', 'pipelines') }}
),

stages as (
    select * from {{ source('crm', 'pipelines__stages') }}
),

final as (
    select
        cast(stages.id as {{ dbt.type_string() }}) as stage_id,
        cast(pipelines.id as {{ dbt.type_string() }}) as pipeline_id,
        stages.label as stage_label,
        cast(stages.display_order as integer) as display_order,
        cast(stages.metadata__is_closed as boolean) as is_closed,
        -- HubSpot marks the won stage as closed with probability 1
        (
            cast(stages.metadata__is_closed as boolean)
            and cast(stages.metadata__probability as {{ type_exact_numeric() }}) = 1
        ) as is_won,
        cast(stages.metadata__probability as numeric(9, 4)) as win_probability,
        'hubspot' as source_system
    from stages
    inner join pipelines
        on stages._dlt_parent_id = pipelines._dlt_id
)

select * from final
