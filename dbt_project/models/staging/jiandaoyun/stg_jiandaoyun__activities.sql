with

source as (
    select * from {{ source('jiandaoyun', 'followups') }}
),

deletions as (
    {{ jiandaoyun_deletions('followups') }}
),

final as (
    select
        cast(source._id as {{ dbt.type_string() }}) as activity_id,
        -- the follow-up way (跟进方式) as sources.jiandaoyun.activity_types maps it
        source.activity_type,
        cast(source.owner as {{ dbt.type_string() }}) as owner_id,
        cast(source.deal as {{ dbt.type_string() }}) as deal_id,
        cast(source.customer as {{ dbt.type_string() }}) as company_id,
        cast(source.occurred_at as {{ type_timestamp_tz() }}) as occurred_at,
        coalesce(deletions.is_deleted, false) as is_deleted,
        cast(source.update_time as {{ type_timestamp_tz() }}) as updated_at,
        greatest(source._dlt_load_id, deletions._dlt_load_id) as _dlt_load_id,
        'jiandaoyun' as source_system
    from source
    left join deletions
        on source._id = deletions.record_id
)

select * from final
