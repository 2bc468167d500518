with

source as (
    select * from {{ source('crm_files', 'deal_stage_changes') }}
),

final as (
    select
        deal_id::text as deal_id,
        stage_id::text as stage_id,
        changed_at::timestamptz as changed_at,
        _dlt_load_id,
        'crm_files' as source_system
    from source
)

select * from final
