with

source as (
    select * from {{ source('crm_files', 'activities') }}
),

final as (
    select
        activity_id::text as activity_id,
        activity_type,
        owner_id::text as owner_id,
        nullif(deal_id, '')::text as deal_id,
        nullif(company_id, '')::text as company_id,
        occurred_at::timestamptz as occurred_at,
        false as is_deleted,
        coalesce(updated_at, occurred_at)::timestamptz as updated_at,
        _dlt_load_id,
        'crm_files' as source_system
    from source
)

select * from final
