with

source as (
    select * from {{ source('crm_files', 'activities') }}
),

deleted_rows as (
    select * from {{ source('crm_files', 'deleted_rows') }}
),

deleted_activities as (
    select
        key as activity_id,
        is_deleted,
        _dlt_load_id
    from deleted_rows
    where entity = 'activities'
),

final as (
    select
        source.activity_id::text as activity_id,
        source.activity_type,
        source.owner_id::text as owner_id,
        nullif(source.deal_id, '')::text as deal_id,
        nullif(source.company_id, '')::text as company_id,
        source.occurred_at::timestamptz as occurred_at,
        coalesce(deleted_activities.is_deleted, false) as is_deleted,
        coalesce(source.updated_at, source.occurred_at)::timestamptz as updated_at,
        -- a deletion found later (snapshot files) is news of the row's own: the newer load counts
        case
            when
                cast(deleted_activities._dlt_load_id as numeric)
                > cast(source._dlt_load_id as numeric)
                then deleted_activities._dlt_load_id
            else source._dlt_load_id
        end as _dlt_load_id,
        'crm_files' as source_system
    from source
    left join deleted_activities
        on source.activity_id = deleted_activities.activity_id
)

select * from final
