with

source as (
    select * from {{ source('salesforce', 'contacts') }}
),

final as (
    select
        cast(id as {{ dbt.type_string() }}) as contact_id,
        cast(account_id as {{ dbt.type_string() }}) as company_id,
        lower(email) as email,
        lower(lead_source) as lead_source,
        cast(created_date as {{ type_timestamp_tz() }}) as created_at,
        coalesce(is_deleted, false) as is_deleted,
        cast(system_modstamp as {{ type_timestamp_tz() }}) as updated_at,
        'salesforce' as source_system
    from source
)

select * from final
