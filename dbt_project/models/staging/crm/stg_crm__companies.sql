with

source as (
    select * from {{ source('crm', 'companies') }}
),

final as (
    select
        cast(id as {{ dbt.type_string() }}) as company_id,
        name as company_name,
        cast(nullif(customer_id, '') as {{ dbt.type_string() }}) as customer_id,
        lower(industry) as industry,
        cast(coalesce(createdate, created_at) as {{ type_timestamp_tz() }}) as created_at,
        coalesce(is_deleted, false) as is_deleted,
        cast(coalesce(hs_lastmodifieddate, updated_at) as {{ type_timestamp_tz() }}) as updated_at,
        'hubspot' as source_system
    from source
)

select * from final
