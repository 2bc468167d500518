with

source as (
    select * from {{ source('crm', 'pipelines') }}
),

final as (
    select
        id::text as pipeline_id,
        label as pipeline_label,
        display_order::integer as display_order
    from source
)

select * from final
