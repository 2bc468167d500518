with

source as (
    select * from {{ source('jiandaoyun', 'contacts') }}
),

deletions as (
    {{ jiandaoyun_deletions('contacts') }}
),

final as (
    select
        cast(source._id as {{ dbt.type_string() }}) as contact_id,
        cast(source.customer as {{ dbt.type_string() }}) as company_id,
        lower(source.email) as email,
        lower(source.lead_source) as lead_source,
        cast(source.create_time as {{ type_timestamp_tz() }}) as created_at,
        coalesce(deletions.is_deleted, false) as is_deleted,
        cast(source.update_time as {{ type_timestamp_tz() }}) as updated_at,
        'jiandaoyun' as source_system
    from source
    left join deletions
        on source._id = deletions.record_id
)

select * from final
