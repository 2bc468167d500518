{#-
    The Deals' Stage_History holds the amount and closing date a deal had at each change of its
    stage, amount, closing date or probability: a property changed where its value differs from
    the row before; the first row is the value the deal started with.
-#}
with

source as (
    select * from {{ source('zoho', 'deal_stage_history') }}
),

deleted as (
    select * from {{ source('zoho', 'deleted_records') }}
    where module = 'Deals'
),

live as (
    -- a deleted deal takes its history with it
    select source.*
    from source
    left join deleted
        on source.deal_id = deleted.id
    where deleted.id is null
),

properties as (
    select
        deal_id,
        id,
        modified_time,
        'amount' as property_name,
        cast(cast(amount as numeric(18, 2)) as {{ dbt.type_string() }}) as property_value,
        _dlt_load_id
    from live
    union all
    select
        deal_id,
        id,
        modified_time,
        'close_date' as property_name,
        cast(cast(closing_date as date) as {{ dbt.type_string() }}) as property_value,
        _dlt_load_id
    from live
),

ordered as (
    select
        *,
        row_number() over (
            partition by deal_id, property_name
            order by modified_time, id
        ) as version_number,
        lag(property_value) over (
            partition by deal_id, property_name
            order by modified_time, id
        ) as previous_value
    from properties
),

final as (
    select
        cast(deal_id as {{ dbt.type_string() }}) as deal_id,
        property_name,
        cast(modified_time as {{ type_timestamp_tz() }}) as changed_at,
        property_value as new_value,
        previous_value as old_value,
        'zoho' as source_system,
        _dlt_load_id
    from ordered
    where version_number = 1 or previous_value is distinct from property_value
)

select * from final
