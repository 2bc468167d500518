with

calls as (
    select * from {{ source('crm', 'calls') }}
),

meetings as (
    select * from {{ source('crm', 'meetings') }}
),

notes as (
    select * from {{ source('crm', 'notes') }}
),

tasks as (
    select * from {{ source('crm', 'tasks') }}
),

engagements as (
    select 'call' as activity_type, id, hubspot_owner_id, deal_id, company_id, hs_timestamp, is_deleted, hs_lastmodifieddate,
        _dlt_load_id
    from calls
    union all
    -- visits and trainings are logged as meetings with hs_activity_type Visit / Training
    select
        case lower(hs_activity_type)
            when 'visit' then 'visit'
            when 'training' then 'training'
            else 'meeting'
        end as activity_type,
        id, hubspot_owner_id, deal_id, company_id, hs_timestamp, is_deleted, hs_lastmodifieddate,
        _dlt_load_id
    from meetings
    union all
    select 'note' as activity_type, id, hubspot_owner_id, deal_id, company_id, hs_timestamp, is_deleted, hs_lastmodifieddate,
        _dlt_load_id
    from notes
    union all
    select 'task' as activity_type, id, hubspot_owner_id, deal_id, company_id, hs_timestamp, is_deleted, hs_lastmodifieddate,
        _dlt_load_id
    from tasks
),

final as (
    select
        id::text as activity_id,
        activity_type,
        hubspot_owner_id::text as owner_id,
        deal_id::text as deal_id,
        company_id::text as company_id,
        hs_timestamp::timestamptz as occurred_at,
        coalesce(is_deleted, false) as is_deleted,
        hs_lastmodifieddate::timestamptz as updated_at,
        _dlt_load_id,
        'hubspot' as source_system
    from engagements
)

select * from final
