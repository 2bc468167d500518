with

tasks as (
    select * from {{ source('salesforce', 'tasks') }}
),

events as (
    select * from {{ source('salesforce', 'events') }}
),

activities as (
    -- tasks: calls are the Call subtype; notes are tasks of type Note
    select
        case
            when task_subtype = 'Call' or type = 'Call' then 'call'
            when type = 'Note' then 'note'
            else 'task'
        end as activity_type,
        id,
        owner_id,
        what_id,
        what_type,
        account_id,
        coalesce(
            completed_date_time, cast(activity_date as {{ type_timestamp_tz() }}), created_date
        ) as occurred_at,
        is_deleted,
        system_modstamp,
        _dlt_load_id
    from tasks
    union all
    -- events: visits and trainings are events of type Visit / Training
    select
        case lower(type)
            when 'visit' then 'visit'
            when 'training' then 'training'
            else 'meeting'
        end as activity_type,
        id,
        owner_id,
        what_id,
        what_type,
        account_id,
        start_date_time as occurred_at,
        is_deleted,
        system_modstamp,
        _dlt_load_id
    from events
),

final as (
    select
        cast(id as {{ dbt.type_string() }}) as activity_id,
        activity_type,
        cast(owner_id as {{ dbt.type_string() }}) as owner_id,
        -- WhatId names an opportunity or an account: a deal only when it is an opportunity
        case
            when what_type = 'Opportunity' then cast(what_id as {{ dbt.type_string() }})
        end as deal_id,
        cast(account_id as {{ dbt.type_string() }}) as company_id,
        cast(occurred_at as {{ type_timestamp_tz() }}) as occurred_at,
        coalesce(is_deleted, false) as is_deleted,
        cast(system_modstamp as {{ type_timestamp_tz() }}) as updated_at,
        _dlt_load_id,
        'salesforce' as source_system
    from activities
)

select * from final
