with

source as (
    select * from {{ source('salesforce', 'contacts') }}
),

final as (
    select
        id::text as contact_id,
        account_id::text as company_id,
        lower(email) as email,
        lower(lead_source) as lead_source,
        created_date::timestamptz as created_at,
        coalesce(is_deleted, false) as is_deleted,
        system_modstamp::timestamptz as updated_at,
        'salesforce' as source_system
    from source
)

select * from final
