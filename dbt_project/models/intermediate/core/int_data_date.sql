{#- One row: the data date every "as of" figure is measured on (see the `as_of_date` var). -#}
with

orders as (
    select * from {{ ref('stg_orders__orders') }}
),

refunds as (
    select * from {{ ref('stg_orders__refunds') }}
),

stage_changes as (
    select * from {{ ref('int_crm_deal_stage_changes_unioned') }}
),

activities as (
    select * from {{ ref('int_crm_activities_unioned') }}
),

event_dates as (
    select max(order_date) as event_date from orders
    union all
    select max(refund_date) as event_date from refunds
    union all
    select max(cast(changed_at as date)) as event_date from stage_changes
    union all
    select max(cast(occurred_at as date)) as event_date from activities
    where not is_deleted
),

final as (
    select
        {% if var('as_of_date') -%}
            {{ dbt.safe_cast(dbt.string_literal(var('as_of_date')), api.Column.translate_type('date')) }}
        {%- else -%}
        max(event_date)
        {%- endif %} as data_date
    from event_dates
)

select * from final
