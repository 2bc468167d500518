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
        cast(deal_id as {{ dbt.type_string() }}) as deal_id,
        case property_name
            when 'amount' then 'amount'
            when 'closedate' then 'close_date'
        end as property_name,
        cast(changed_at as {{ type_timestamp_tz() }}) as changed_at,
        case
            -- a close date is a day: HubSpot keeps it as a UTC timestamp
            when property_name = 'closedate'
                then cast(
                    cast(cast(value as {{ type_timestamp_tz() }}) as date)
                    as {{ dbt.type_string() }}
                )
            else cast(cast(nullif(value, '') as numeric(18, 2)) as {{ dbt.type_string() }})
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
