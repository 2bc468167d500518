with

source as (
    select * from {{ source('crm', 'companies') }}
),

final as (
    select
        id::text as company_id,
        name as company_name,
        nullif(customer_id, '')::text as customer_id,
        lower(industry) as industry,
        coalesce(createdate, created_at)::timestamptz as created_at,
        coalesce(is_deleted, false) as is_deleted,
        coalesce(hs_lastmodifieddate, updated_at)::timestamptz as updated_at,
        'hubspot' as source_system
    from source
)

select * from final
