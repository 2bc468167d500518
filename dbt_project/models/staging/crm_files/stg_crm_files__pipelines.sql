with

source as (
    select * from {{ source('crm_files', 'pipelines') }}
),

final as (
    select
        cast(pipeline_id as {{ dbt.type_string() }}) as pipeline_id,
        pipeline_label,
        cast(display_order as integer) as display_order
    from source
)

select * from final
