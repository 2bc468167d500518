{#-
    OpportunityHistory writes a snapshot of stage, amount, close date and probability at every
    change of any of them: an amount (close-date) change is a row whose amount (close date)
    differs from the row before, the first row being the value the opportunity was created with.
-#}
with

source as (
    select * from {{ source('salesforce', 'opportunity_history') }}
),

live as (
    -- a deleted opportunity takes its history to the recycle bin with it
    select * from source
    where not coalesce(is_deleted, false)
),

valued as (
    select
        cast(opportunity_id as {{ dbt.type_string() }}) as deal_id,
        cast(created_date as {{ type_timestamp_tz() }}) as changed_at,
        id,
        cast(cast(amount as numeric(18, 2)) as {{ dbt.type_string() }}) as amount_value,
        cast(close_date as {{ dbt.type_string() }}) as close_date_value,
        _dlt_load_id
    from live
),

ordered as (
    select
        *,
        row_number() over (partition by deal_id order by changed_at, id) as row_number_in_deal,
        lag(amount_value) over (partition by deal_id order by changed_at, id) as previous_amount,
        lag(close_date_value) over (
            partition by deal_id
            order by changed_at, id
        ) as previous_close_date
    from valued
),

properties as (
    select 'amount' as property_name
    union all
    select 'close_date' as property_name
),

{# One row per history row and field: its value after the change and the one before. #}
unpivoted as (
    select
        ordered.deal_id,
        properties.property_name,
        ordered.changed_at,
        ordered.row_number_in_deal,
        ordered._dlt_load_id,
        case
            when properties.property_name = 'amount' then ordered.amount_value
            else ordered.close_date_value
        end as new_value,
        case
            when properties.property_name = 'amount' then ordered.previous_amount
            else ordered.previous_close_date
        end as old_value
    from ordered
    cross join properties
),

final as (
    select
        'salesforce' as source_system,
        deal_id,
        property_name,
        changed_at,
        new_value,
        old_value,
        _dlt_load_id
    from unpivoted
    where row_number_in_deal = 1 or new_value is distinct from old_value
)

select * from final
