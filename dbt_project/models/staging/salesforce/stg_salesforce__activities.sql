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
        coalesce(completed_date_time, activity_date::timestamptz, created_date) as occurred_at,
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
        id::text as activity_id,
        activity_type,
        owner_id::text as owner_id,
        -- WhatId names an opportunity or an account: a deal only when it is an opportunity
        case when what_type = 'Opportunity' then what_id::text end as deal_id,
        account_id::text as company_id,
        occurred_at::timestamptz as occurred_at,
        coalesce(is_deleted, false) as is_deleted,
        system_modstamp::timestamptz as updated_at,
        _dlt_load_id,
        'salesforce' as source_system
    from activities
)

select * from final
