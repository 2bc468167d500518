with

source as (
    select * from {{ source('jiandaoyun', 'contacts') }}
),

deletions as (
    {{ jiandaoyun_deletions('contacts') }}
),

final as (
    select
        source._id::text as contact_id,
        source.customer::text as company_id,
        lower(source.email) as email,
        lower(source.lead_source) as lead_source,
        source.create_time::timestamptz as created_at,
        coalesce(deletions.is_deleted, false) as is_deleted,
        source.update_time::timestamptz as updated_at,
        'jiandaoyun' as source_system
    from source
    left join deletions
        on source._id = deletions.record_id
)

select * from final
