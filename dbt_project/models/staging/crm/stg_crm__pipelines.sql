with

source as (
    select * from {{ source('crm', 'pipelines') }}
),

final as (
    select
        cast(id as {{ dbt.type_string() }}) as pipeline_id,
        label as pipeline_label,
        cast(display_order as integer) as display_order
    from source
)

select * from final
