with

source as (
    select * from {{ source('jiandaoyun', 'customers') }}
),

deletions as (
    {{ jiandaoyun_deletions('customers') }}
),

final as (
    select
        source._id::text as company_id,
        source.customer_name as company_name,
        nullif(source.customer_id, '')::text as customer_id,
        lower(source.industry) as industry,
        source.create_time::timestamptz as created_at,
        coalesce(deletions.is_deleted, false) as is_deleted,
        source.update_time::timestamptz as updated_at,
        'jiandaoyun' as source_system
    from source
    left join deletions
        on source._id = deletions.record_id
)

select * from final
