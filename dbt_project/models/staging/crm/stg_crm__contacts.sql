with

source as (
    select * from {{ source('crm', 'contacts') }}
),

final as (
    select
        cast(id as {{ dbt.type_string() }}) as contact_id,
        cast(company_id as {{ dbt.type_string() }}) as company_id,
        lower(email) as email,
        lower(hs_analytics_source) as lead_source,
        cast(coalesce(createdate, created_at) as {{ type_timestamp_tz() }}) as created_at,
        coalesce(is_deleted, false) as is_deleted,
        cast(coalesce(lastmodifieddate, updated_at) as {{ type_timestamp_tz() }}) as updated_at,
        'hubspot' as source_system
    from source
)

select * from final
