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
        source.company_id::text as company_id,
        source.company_name,
        source.customer_id::text as customer_id,
        lower(source.industry) as industry,
        source.created_at::timestamptz as created_at,
        coalesce(deleted_companies.is_deleted, false) as is_deleted,
        null::timestamptz as updated_at,
        'crm_files' as source_system
    from source
    left join deleted_companies
        on source.company_id = deleted_companies.company_id
)

select * from final
