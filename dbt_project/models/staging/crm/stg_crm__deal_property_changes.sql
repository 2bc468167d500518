{#-
    Every version of a deal's amount and close date (HubSpot `propertiesWithHistory`): the first
    is the value the deal was created with, each later one a change. `old_value` is the version
    before it (HubSpot gives only the new value).
-#}
with

source as (
    select * from {{ source('crm', 'deal_property_history') }}
),

renamed as (
    select
        deal_id::text as deal_id,
        case property_name
            when 'amount' then 'amount'
            when 'closedate' then 'close_date'
        end as property_name,
        changed_at::timestamptz as changed_at,
        case
            -- a close date is a day: HubSpot keeps it as a UTC timestamp
            when property_name = 'closedate'
                then value::timestamptz::date::text
            else nullif(value, '')::numeric(18, 2)::text
        end as new_value,
        _dlt_load_id
    from source
),

final as (
    select
        'hubspot' as source_system,
        deal_id,
        property_name,
        changed_at,
        new_value,
        lag(new_value) over (
            partition by deal_id, property_name
            order by changed_at
        ) as old_value,
        _dlt_load_id
    from renamed
    where property_name is not null
)

select * from final
