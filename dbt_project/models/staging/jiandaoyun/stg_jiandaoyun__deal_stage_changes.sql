{#-
    Jiandaoyun keeps no field history: stage changes are the records of the company's
    stage-change form (商机阶段变更), typically written by a data-flow rule whenever a deal's
    stage is saved. A record saving the stage the deal was already in is no change; a deleted
    record is dropped.
-#}
with

source as (
    select * from {{ source('jiandaoyun', 'deal_stage_changes') }}
),

deletions as (
    {{ jiandaoyun_deletions('stage_changes') }}
),

live as (
    select source.*
    from source
    left join deletions
        on source._id = deletions.record_id
    where not coalesce(deletions.is_deleted, false)
),

ordered as (
    select
        *,
        lag(stage_id) over (
            partition by deal
            order by changed_at, _id
        ) as previous_stage_id
    from live
),

final as (
    select
        cast(deal as {{ dbt.type_string() }}) as deal_id,
        cast(stage_id as {{ dbt.type_string() }}) as stage_id,
        cast(changed_at as {{ type_timestamp_tz() }}) as changed_at,
        _dlt_load_id,
        'jiandaoyun' as source_system
    from ordered
    where previous_stage_id is null or previous_stage_id <> stage_id
)

select * from final
