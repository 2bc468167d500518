with

source as (
    select * from {{ source('crm_files', 'pipeline_stages') }}
),

final as (
    select
        stage_id::text as stage_id,
        pipeline_id::text as pipeline_id,
        label_en as stage_label,
        display_order::integer as display_order,
        (is_won or is_lost) as is_closed,
        is_won,
        probability::numeric(9, 4) as win_probability,
        'crm_files' as source_system
    from source
)

select * from final
