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
        cast(source.id as {{ dbt.type_string() }}) as contact_id,
        cast(source.account_name_id as {{ dbt.type_string() }}) as company_id,
        lower(source.email) as email,
        lower(source.lead_source) as lead_source,
        cast(source.created_time as {{ type_timestamp_tz() }}) as created_at,
        deleted.id is not null as is_deleted,
        cast(source.modified_time as {{ type_timestamp_tz() }}) as updated_at,
        'zoho' as source_system
    from source
    left join deleted
        on source.id = deleted.id
)

select * from final
