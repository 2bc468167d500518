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
        cast(id as {{ dbt.type_string() }}) as activity_id,
        activity_type,
        cast(hubspot_owner_id as {{ dbt.type_string() }}) as owner_id,
        cast(deal_id as {{ dbt.type_string() }}) as deal_id,
        cast(company_id as {{ dbt.type_string() }}) as company_id,
        cast(hs_timestamp as {{ type_timestamp_tz() }}) as occurred_at,
        coalesce(is_deleted, false) as is_deleted,
        cast(hs_lastmodifieddate as {{ type_timestamp_tz() }}) as updated_at,
        _dlt_load_id,
        'hubspot' as source_system
    from engagements
)

select * from final
