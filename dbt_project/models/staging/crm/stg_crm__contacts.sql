with

source as (
    select * from {{ source('crm', 'contacts') }}
),

final as (
    select
        id::text as contact_id,
        company_id::text as company_id,
        lower(email) as email,
        lower(hs_analytics_source) as lead_source,
        coalesce(createdate, created_at)::timestamptz as created_at,
        coalesce(is_deleted, false) as is_deleted,
        coalesce(lastmodifieddate, updated_at)::timestamptz as updated_at,
        'hubspot' as source_system
    from source
)

select * from final
