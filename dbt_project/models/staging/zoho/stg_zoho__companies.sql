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
        cast(source.id as {{ dbt.type_string() }}) as company_id,
        source.account_name as company_name,
        cast(nullif(source.customer_id, '') as {{ dbt.type_string() }}) as customer_id,
        lower(source.industry) as industry,
        cast(source.created_time as {{ type_timestamp_tz() }}) as created_at,
        deleted.id is not null as is_deleted,
        cast(source.modified_time as {{ type_timestamp_tz() }}) as updated_at,
        'zoho' as source_system
    from source
    left join deleted
        on source.id = deleted.id
)

select * from final
