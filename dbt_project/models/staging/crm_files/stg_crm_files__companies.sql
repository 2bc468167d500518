with

source as (
    select * from {{ source('crm_files', 'companies') }}
),

final as (
    select
        company_id::text as company_id,
        company_name,
        customer_id::text as customer_id,
        lower(industry) as industry,
        created_at::timestamptz as created_at,
        false as is_deleted,
        null::timestamptz as updated_at,
        'crm_files' as source_system
    from source
)

select * from final
