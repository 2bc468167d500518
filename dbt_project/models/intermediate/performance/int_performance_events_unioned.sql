{#-
    Every measurable event as (metric, event id, rep, date, value): the one list that targets are measured
    against and KPIs add up. Target metrics: `revenue` (net revenue in the reporting currency by
    order date; refunds and cancellations already netted out on the order), `new_customers`
    (a customer's first completed order), `visits`, `deals_won` (by close date). Helper measures:
    `completed_orders`, `deals_lost`, `won_cycle_days` (the cycle days of won deals).
-#}
with

orders as (
    select * from {{ ref('int_orders_enriched') }}
),

deals as (
    select * from {{ ref('int_deals_enriched') }}
),

activities as (
    select * from {{ ref('int_activities_enriched') }}
),

final as (
    select
        'revenue' as metric,
        order_id as event_id,
        rep_id,
        order_date as event_date,
        net_reporting_amount as event_value
    from orders
    union all
    select
        'completed_orders' as metric,
        order_id as event_id,
        rep_id,
        order_date as event_date,
        1 as event_value
    from orders
    where status = 'completed'
    union all
    select
        'new_customers' as metric,
        order_id as event_id,
        rep_id,
        order_date as event_date,
        1 as event_value
    from orders
    where is_first_order
    union all
    select
        'visits' as metric,
        activity_id as event_id,
        rep_id,
        activity_date as event_date,
        1 as event_value
    from activities
    where activity_type = 'visit'
    union all
    select
        'deals_won' as metric,
        deal_id as event_id,
        rep_id,
        closed_date as event_date,
        1 as event_value
    from deals
    where is_won
    union all
    select
        'deals_lost' as metric,
        deal_id as event_id,
        rep_id,
        closed_date as event_date,
        1 as event_value
    from deals
    where deal_status = 'lost'
    union all
    select
        'won_cycle_days' as metric,
        deal_id as event_id,
        rep_id,
        closed_date as event_date,
        cycle_days as event_value
    from deals
    where is_won
)

select * from final
