{#-
    Calls, tasks, meetings (`Events`) and notes as activities. An activity names one record it is
    about (`What_Id`, a deal or an account; a note's `Parent_Id`): an activity about a deal is
    about the deal's account too.
-#}
with

calls as (
    select * from {{ source('zoho', 'calls') }}
),

tasks as (
    select * from {{ source('zoho', 'tasks') }}
),

meetings as (
    select * from {{ source('zoho', 'meetings') }}
),

notes as (
    select * from {{ source('zoho', 'notes') }}
),

deals as (
    select * from {{ source('zoho', 'deals') }}
),

deleted as (
    select * from {{ source('zoho', 'deleted_records') }}
),

activities as (
    select
        'call' as activity_type,
        'Calls' as module,
        id,
        owner_id,
        what_id_id as about_id,
        se_module as about_module,
        call_start_time as occurred_at,
        modified_time,
        _dlt_load_id
    from calls
    union all
    select
        'task' as activity_type,
        'Tasks' as module,
        id,
        owner_id,
        what_id_id as about_id,
        se_module as about_module,
        coalesce(
            closed_time, cast(due_date as {{ type_timestamp_tz() }}), created_time
        ) as occurred_at,
        modified_time,
        _dlt_load_id
    from tasks
    union all
    -- visits and trainings are meetings of that kind (role field meeting_type)
    select
        case lower(meeting_type)
            when 'visit' then 'visit'
            when 'training' then 'training'
            else 'meeting'
        end as activity_type,
        'Events' as module,
        id,
        owner_id,
        what_id_id as about_id,
        se_module as about_module,
        start_date_time as occurred_at,
        modified_time,
        _dlt_load_id
    from meetings
    union all
    select
        'note' as activity_type,
        'Notes' as module,
        id,
        owner_id,
        parent_id_id as about_id,
        parent_id_module_api_name as about_module,
        created_time as occurred_at,
        modified_time,
        _dlt_load_id
    from notes
),

final as (
    select
        cast(activities.id as {{ dbt.type_string() }}) as activity_id,
        activities.activity_type,
        cast(activities.owner_id as {{ dbt.type_string() }}) as owner_id,
        case
            when activities.about_module = 'Deals'
                then cast(activities.about_id as {{ dbt.type_string() }})
        end as deal_id,
        case
            when activities.about_module = 'Accounts'
                then cast(activities.about_id as {{ dbt.type_string() }})
            else cast(deals.account_name_id as {{ dbt.type_string() }})
        end as company_id,
        cast(activities.occurred_at as {{ type_timestamp_tz() }}) as occurred_at,
        deleted.id is not null as is_deleted,
        cast(activities.modified_time as {{ type_timestamp_tz() }}) as updated_at,
        activities._dlt_load_id,
        'zoho' as source_system
    from activities
    left join deals
        on
            activities.about_module = 'Deals'
            and activities.about_id = deals.id
    left join deleted
        on
            activities.module = deleted.module
            and activities.id = deleted.id
)

select * from final
