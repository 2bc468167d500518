with

stages as (
    select * from {{ source('zoho', 'pipeline_stages') }}
),

pipelines as (
    select distinct
        pipeline,
        pipeline_label,
        coalesce(pipeline_is_default, false) as is_default
    from stages
),

final as (
    select
        cast(pipeline as {{ dbt.type_string() }}) as pipeline_id,
        pipeline_label,
        -- the default pipeline first, then by name
        cast(row_number() over (order by not is_default, pipeline) - 1 as integer) as display_order
    from pipelines
)

select * from final
