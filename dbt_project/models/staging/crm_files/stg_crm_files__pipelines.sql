with

source as (
    select * from {{ source('crm_files', 'pipelines') }}
),

final as (
    select
        pipeline_id::text as pipeline_id,
        pipeline_label,
        display_order::integer as display_order
    from source
)

select * from final
