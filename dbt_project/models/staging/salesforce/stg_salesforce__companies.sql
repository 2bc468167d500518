with

source as (
    select * from {{ source('salesforce', 'accounts') }}
),

final as (
    select
        cast(id as {{ dbt.type_string() }}) as company_id,
        name as company_name,
        cast(nullif(customer_id, '') as {{ dbt.type_string() }}) as customer_id,
        lower(industry) as industry,
        cast(created_date as {{ type_timestamp_tz() }}) as created_at,
        coalesce(is_deleted, false) as is_deleted,
        cast(system_modstamp as {{ type_timestamp_tz() }}) as updated_at,
        'salesforce' as source_system
    from source
)

select * from final
