with

source as (
    select * from {{ source('zoho', 'accounts') }}
),

deleted as (
    select * from {{ source('zoho', 'deleted_records') }}
    where module = 'Accounts'
),

final as (
    select
        source.id::text as company_id,
        source.account_name as company_name,
        nullif(source.customer_id, '')::text as customer_id,
        lower(source.industry) as industry,
        source.created_time::timestamptz as created_at,
        deleted.id is not null as is_deleted,
        source.modified_time::timestamptz as updated_at,
        'zoho' as source_system
    from source
    left join deleted
        on source.id = deleted.id
)

select * from final
