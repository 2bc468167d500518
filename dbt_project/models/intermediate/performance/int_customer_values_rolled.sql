{#- Active, prior and retained customers and the revenue of the 12 months per grid month. -#}
with

orders as (
    select * from {{ ref('int_orders_enriched') }}
),

grid as (
    select * from {{ ref('int_scope_months_gridded') }}
),

completed_orders as (
    select
        customer_id,
        team_id,
        region_id,
        {{ month_start('order_date') }} as month_start,
        net_reporting_amount
    from orders
    where status = 'completed'
),

customer_months as (
    {{ aggregate_by_scope(
        'completed_orders',
        ['company', 'region', 'team'],
        ['customer_id', 'month_start'],
        {'net_reporting_amount': 'sum(net_reporting_amount)'},
    ) }}
),

{#
    Rolling customer figures, counted with running sums rather than by pairing every month with
    every customer-month of the two years before it (which grew with customers x months: 37 s at
    bench scale L).

    A customer is active in a month when it bought in the 12 months ending with it. Each month it
    bought in keeps it active through the 11 months after; what that adds beyond its previous
    purchase's reach is an interval of months [active_from, active_until), and a customer's
    intervals never overlap. So the active customers of a month are the +1s at interval starts
    minus the -1s at interval ends, summed up to that month. The same with a 24-month reach counts
    the customers who bought in the last 24 months. Retained customers, active in the month and a
    year before, are then active + prior - those of the 24 months (prior = active a year ago).
    Revenue of the 12 months adds each month's revenue and takes it away 12 months later.
#}
customer_purchases as (
    select
        scope_type,
        scope_id,
        month_start,
        lag(month_start) over (
            partition by scope_type, scope_id, customer_id order by month_start
        ) as previous_month_start
    from customer_months
),

activity_intervals as (
    select
        scope_type,
        scope_id,
        case
            when previous_month_start is null then month_start
            else greatest(month_start, {{ add_months('previous_month_start', 12) }})
        end as active_from,
        {{ add_months('month_start', 12) }} as active_until,
        case
            when previous_month_start is null then month_start
            else greatest(month_start, {{ add_months('previous_month_start', 24) }})
        end as active_24m_from,
        {{ add_months('month_start', 24) }} as active_24m_until
    from customer_purchases
),

scope_month_revenue as (
    select
        scope_type,
        scope_id,
        month_start,
        sum(net_reporting_amount) as revenue_amount
    from customer_months
    group by scope_type, scope_id, month_start
),

{#
    Every interval start and end, and each month's revenue entering and leaving the 12 months,
    one union branch each: unpivoting them with a lateral values list reads the intervals once
    but was slower (7.7 s against 6.6 s at bench scale L).
#}
customer_changes as (
    select
        scope_type,
        scope_id,
        active_from as month_start,
        1 as active_change,
        0 as active_24m_change,
        0 as revenue_change
    from activity_intervals
    union all
    select
        scope_type,
        scope_id,
        active_until as month_start,
        -1 as active_change,
        0 as active_24m_change,
        0 as revenue_change
    from activity_intervals
    union all
    select
        scope_type,
        scope_id,
        active_24m_from as month_start,
        0 as active_change,
        1 as active_24m_change,
        0 as revenue_change
    from activity_intervals
    union all
    select
        scope_type,
        scope_id,
        active_24m_until as month_start,
        0 as active_change,
        -1 as active_24m_change,
        0 as revenue_change
    from activity_intervals
    union all
    select
        scope_type,
        scope_id,
        month_start,
        0 as active_change,
        0 as active_24m_change,
        revenue_amount as revenue_change
    from scope_month_revenue
    union all
    select
        scope_type,
        scope_id,
        {{ add_months('month_start', 12) }} as month_start,
        0 as active_change,
        0 as active_24m_change,
        -revenue_amount as revenue_change
    from scope_month_revenue
),

monthly_customer_changes as (
    select
        scope_type,
        scope_id,
        month_start,
        sum(active_change) as active_change,
        sum(active_24m_change) as active_24m_change,
        sum(revenue_change) as revenue_change
    from customer_changes
    group by scope_type, scope_id, month_start
),

{# The running sums at each month a scope's figures change. #}
customer_running as (
    select
        scope_type,
        scope_id,
        month_start,
        sum(active_change) over scope_months as active_customers_12m,
        sum(active_24m_change) over scope_months as active_customers_24m,
        sum(revenue_change) over scope_months as revenue_12m_amount
    from monthly_customer_changes
    window scope_months as (
        partition by scope_type, scope_id
        order by month_start
        rows between unbounded preceding and current row
    )
),

{# A grid month's figures are those of its scope's latest change, and a year before it too. #}
lookbacks as (
    select 0 as months_back
    union all
    select 12 as months_back
),

customer_as_of as (
    select
        grid.scope_type,
        grid.scope_id,
        grid.month_start,
        lookbacks.months_back,
        customer_running.active_customers_12m,
        customer_running.active_customers_24m,
        customer_running.revenue_12m_amount,
        row_number() over (
            partition by grid.scope_type, grid.scope_id, grid.month_start, lookbacks.months_back
            order by customer_running.month_start desc
        ) as recency
    from grid
    cross join lookbacks
    inner join customer_running
        on
            grid.scope_type = customer_running.scope_type
            and grid.scope_id = customer_running.scope_id
            and customer_running.month_start
            <= {{ add_months('grid.month_start', '-lookbacks.months_back') }}
),

{# Prior customers (who bought in the 12 months before the last 12) were active a year ago. #}
customer_value as (
    select
        scope_type,
        scope_id,
        month_start,
        sum(case when months_back = 0 then active_customers_12m else 0 end)
            as active_customers_12m,
        sum(case when months_back = 12 then active_customers_12m else 0 end)
            as prior_customers_12m,
        sum(
            case
                when months_back = 0 then active_customers_12m - active_customers_24m
                else active_customers_12m
            end
        ) as retained_customers_12m,
        sum(case when months_back = 0 then revenue_12m_amount else 0 end) as revenue_12m_amount
    from customer_as_of
    where recency = 1
    group by scope_type, scope_id, month_start
),

final as (
    select * from customer_value
)

select * from final
