with

source as (
    select * from {{ source('jiandaoyun', 'customers') }}
),

deletions as (
    {{ jiandaoyun_deletions('customers') }}
),

final as (
    select
        cast(source._id as {{ dbt.type_string() }}) as company_id,
        source.customer_name as company_name,
        cast(nullif(source.customer_id, '') as {{ dbt.type_string() }}) as customer_id,
        lower(source.industry) as industry,
        cast(source.create_time as {{ type_timestamp_tz() }}) as created_at,
        coalesce(deletions.is_deleted, false) as is_deleted,
        cast(source.update_time as {{ type_timestamp_tz() }}) as updated_at,
        'jiandaoyun' as source_system
    from source
    left join deletions
        on source._id = deletions.record_id
)

select * from final
