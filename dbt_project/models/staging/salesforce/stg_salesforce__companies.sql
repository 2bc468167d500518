with

source as (
    select * from {{ source('salesforce', 'accounts') }}
),

final as (
    select
        id::text as company_id,
        name as company_name,
        nullif(customer_id, '')::text as customer_id,
        lower(industry) as industry,
        created_date::timestamptz as created_at,
        coalesce(is_deleted, false) as is_deleted,
        system_modstamp::timestamptz as updated_at,
        'salesforce' as source_system
    from source
)

select * from final
