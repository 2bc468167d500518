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
        cast(source.activity_id as {{ dbt.type_string() }}) as activity_id,
        source.activity_type,
        cast(source.owner_id as {{ dbt.type_string() }}) as owner_id,
        cast(nullif(source.deal_id, '') as {{ dbt.type_string() }}) as deal_id,
        cast(nullif(source.company_id, '') as {{ dbt.type_string() }}) as company_id,
        cast(source.occurred_at as {{ type_timestamp_tz() }}) as occurred_at,
        coalesce(deleted_activities.is_deleted, false) as is_deleted,
        cast(
            coalesce(source.updated_at, source.occurred_at) as {{ type_timestamp_tz() }}
        ) as updated_at,
        -- a deletion found later (snapshot files) is news of the row's own: the newer load counts
        case
            when
                cast(deleted_activities._dlt_load_id as {{ type_exact_numeric() }})
                > cast(source._dlt_load_id as {{ type_exact_numeric() }})
                then deleted_activities._dlt_load_id
            else source._dlt_load_id
        end as _dlt_load_id,
        'crm_files' as source_system
    from source
    left join deleted_activities
        on source.activity_id = deleted_activities.activity_id
)

select * from final
