with

source as (
    select * from {{ source('crm_files', 'companies') }}
),

deleted_rows as (
    select * from {{ source('crm_files', 'deleted_rows') }}
),

deleted_companies as (
    select
        key as company_id,
        is_deleted
    from deleted_rows
    where entity = 'companies'
),

final as (
    select
        cast(source.company_id as {{ dbt.type_string() }}) as company_id,
        source.company_name,
        cast(source.customer_id as {{ dbt.type_string() }}) as customer_id,
        lower(source.industry) as industry,
        cast(source.created_at as {{ type_timestamp_tz() }}) as created_at,
        coalesce(deleted_companies.is_deleted, false) as is_deleted,
        cast(null as {{ type_timestamp_tz() }}) as updated_at,
        'crm_files' as source_system
    from source
    left join deleted_companies
        on source.company_id = deleted_companies.company_id
)

select * from final
