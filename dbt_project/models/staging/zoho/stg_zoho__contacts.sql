with

source as (
    select * from {{ source('zoho', 'contacts') }}
),

deleted as (
    select * from {{ source('zoho', 'deleted_records') }}
    where module = 'Contacts'
),

final as (
    select
        source.id::text as contact_id,
        source.account_name_id::text as company_id,
        lower(source.email) as email,
        lower(source.lead_source) as lead_source,
        source.created_time::timestamptz as created_at,
        deleted.id is not null as is_deleted,
        source.modified_time::timestamptz as updated_at,
        'zoho' as source_system
    from source
    left join deleted
        on source.id = deleted.id
)

select * from final
