with

source as (
    select * from {{ source('jiandaoyun', 'followups') }}
),

deletions as (
    {{ jiandaoyun_deletions('followups') }}
),

final as (
    select
        source._id::text as activity_id,
        -- the follow-up way (跟进方式) as sources.jiandaoyun.activity_types maps it
        source.activity_type,
        source.owner::text as owner_id,
        source.deal::text as deal_id,
        source.customer::text as company_id,
        source.occurred_at::timestamptz as occurred_at,
        coalesce(deletions.is_deleted, false) as is_deleted,
        source.update_time::timestamptz as updated_at,
        greatest(source._dlt_load_id, deletions._dlt_load_id) as _dlt_load_id,
        'jiandaoyun' as source_system
    from source
    left join deletions
        on source._id = deletions.record_id
)

select * from final
