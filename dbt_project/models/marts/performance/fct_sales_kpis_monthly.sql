{{
    config(
        indexes=[
            {'columns': ['month_start']},
            {'columns': ['scope_type', 'scope_id']},
        ],
    )
}}

with

performance as (
    select * from {{ ref('int_performance_monthly_scoped') }}
),

orders as (
    select * from {{ ref('fct_orders') }}
),

deals as (
    select * from {{ ref('fct_deals') }}
),

marketing_spend as (
    select * from {{ ref('stg_finance__marketing_spend') }}
),

fx_rates as (
    select * from {{ ref('int_fx_rates_filled') }}
),

attainment as (
    select * from {{ ref('fct_target_attainment') }}
),

scope_names as (
    select * from {{ ref('int_scopes_listed') }}
),

calendar as (
    select * from {{ ref('dim_date') }}
),

data_date as (
    select * from {{ ref('int_data_date') }}
),

scopes as (
    select *
    from scope_names
    where scope_type != 'rep'
),

months as (
    select
        calendar.month_start_date as month_start,
        least(calendar.month_end_date, data_date.data_date) as as_of_date
    from calendar
    cross join data_date
    where
        calendar.date_day = calendar.month_start_date
        and calendar.date_day <= data_date.data_date
        and calendar.date_day >= (select min(performance.month_start) from performance)
),

grid as (
    select
        scopes.scope_type,
        scopes.scope_id,
        scopes.scope_name,
        months.month_start,
        months.as_of_date
    from scopes
    cross join months
),

measures as (
    select
        scope_type,
        scope_id,
        month_start,
        sum(case when metric = 'revenue' then actual_amount else 0 end) as revenue_amount,
        sum(case when metric = 'completed_orders' then actual_amount else 0 end)
            as completed_order_count,
        sum(case when metric = 'new_customers' then actual_amount else 0 end)
            as new_customer_count,
        sum(case when metric = 'deals_won' then actual_amount else 0 end) as deals_won,
        sum(case when metric = 'deals_lost' then actual_amount else 0 end) as deals_lost,
        sum(case when metric = 'won_cycle_days' then actual_amount else 0 end) as won_cycle_days
    from performance
    where scope_type != 'rep'
    group by scope_type, scope_id, month_start
),

{# Spend converts at the rate of the month's first day; spend without a region is company-wide. #}
spend_converted as (
    select
        marketing_spend.month_start,
        marketing_spend.region_id,
        round(marketing_spend.spend_amount * fx_rates.fx_rate, 2) as spend_reporting_amount
    from marketing_spend
    left join fx_rates
        on
            marketing_spend.spend_currency = fx_rates.currency
            and marketing_spend.month_start = fx_rates.rate_date
),

spend_scoped as (
    {{ aggregate_by_scope(
        'spend_converted',
        ['company', 'region'],
        ['month_start'],
        {'spend_amount': 'sum(spend_reporting_amount)'},
    ) }}
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

{#
    The open pipeline at a month's end (or the data date): deals created by then and not yet
    closed. A deal adds its amount to its rep's open pipeline in the month it is created and takes
    it away in the month it closes (a deal closed before it was created is never open), so a
    running sum per rep gives the open pipeline of every month, credited to the rep's team of
    that day.
#}
deal_changes as (
    select
        rep_id,
        {{ month_start('created_date') }} as month_start,
        deal_reporting_amount as amount_change
    from deals
    where created_date is not null and (closed_date is null or closed_date > created_date)
    union all
    select
        rep_id,
        {{ month_start('closed_date') }} as month_start,
        -deal_reporting_amount as amount_change
    from deals
    where created_date is not null and closed_date > created_date
),

rep_changes as (
    select
        rep_id,
        month_start,
        sum(amount_change) as amount_change
    from deal_changes
    group by rep_id, month_start
),

rep_running as (
    select
        rep_id,
        month_start,
        sum(amount_change) over (
            partition by rep_id
            order by month_start
            rows between unbounded preceding and current row
        ) as open_pipeline_amount
    from rep_changes
),

{# Each month takes its rep's running sum at the latest change up to it. #}
rep_as_of as (
    select
        months.month_start,
        months.as_of_date,
        rep_running.rep_id,
        rep_running.open_pipeline_amount,
        row_number() over (
            partition by months.month_start, rep_running.rep_id
            order by rep_running.month_start desc
        ) as recency
    from months
    inner join rep_running
        on months.month_start >= rep_running.month_start
),

rep_open_pipeline as (
    select
        month_start,
        as_of_date,
        rep_id,
        open_pipeline_amount
    from rep_as_of
    where recency = 1
),

open_rep_teams as (
    {{ assign_teams_on_date(
        'rep_open_pipeline', ['month_start', 'rep_id'], 'rep_id', 'as_of_date'
    ) }}
),

open_pipeline_credited as (
    select
        rep_open_pipeline.month_start,
        rep_open_pipeline.open_pipeline_amount,
        open_rep_teams.team_id,
        open_rep_teams.region_id
    from rep_open_pipeline
    left join open_rep_teams
        on
            rep_open_pipeline.month_start = open_rep_teams.month_start
            and rep_open_pipeline.rep_id = open_rep_teams.rep_id
),

open_pipeline as (
    {{ aggregate_by_scope(
        'open_pipeline_credited',
        ['company', 'region', 'team'],
        ['month_start'],
        {'open_pipeline_amount': 'sum(open_pipeline_amount)'},
    ) }}
),

revenue_targets as (
    select
        scope_type,
        scope_id,
        period_start as month_start,
        target_amount
    from attainment
    where metric = 'revenue' and period_type = 'month'
),

joined as (
    select
        grid.scope_type,
        grid.scope_id,
        grid.scope_name,
        grid.month_start,
        coalesce(measures.revenue_amount, 0) as revenue_amount,
        coalesce(measures.completed_order_count, 0) as completed_order_count,
        coalesce(measures.new_customer_count, 0) as new_customer_count,
        coalesce(measures.deals_won, 0) as deals_won,
        coalesce(measures.deals_lost, 0) as deals_lost,
        coalesce(measures.won_cycle_days, 0) as won_cycle_days,
        case when grid.scope_type != 'team' then coalesce(spend_scoped.spend_amount, 0) end
            as marketing_spend_amount,
        coalesce(customer_value.active_customers_12m, 0) as active_customers_12m,
        coalesce(customer_value.prior_customers_12m, 0) as prior_customers_12m,
        coalesce(customer_value.retained_customers_12m, 0) as retained_customers_12m,
        coalesce(customer_value.revenue_12m_amount, 0) as revenue_12m_amount,
        coalesce(open_pipeline.open_pipeline_amount, 0) as open_pipeline_amount,
        revenue_targets.target_amount as revenue_target_amount
    from grid
    left join measures
        on
            grid.scope_type = measures.scope_type
            and grid.scope_id = measures.scope_id
            and grid.month_start = measures.month_start
    left join spend_scoped
        on
            grid.scope_type = spend_scoped.scope_type
            and grid.scope_id = spend_scoped.scope_id
            and grid.month_start = spend_scoped.month_start
    left join customer_value
        on
            grid.scope_type = customer_value.scope_type
            and grid.scope_id = customer_value.scope_id
            and grid.month_start = customer_value.month_start
    left join open_pipeline
        on
            grid.scope_type = open_pipeline.scope_type
            and grid.scope_id = open_pipeline.scope_id
            and grid.month_start = open_pipeline.month_start
    left join revenue_targets
        on
            grid.scope_type = revenue_targets.scope_type
            and grid.scope_id = revenue_targets.scope_id
            and grid.month_start = revenue_targets.month_start
),

{# CLV = annual revenue per active customer x expected lifetime (1 / annual churn, capped). #}
rates as (
    select
        joined.*,
        {{ safe_divide('prior_customers_12m - retained_customers_12m', 'prior_customers_12m') }}
            as annual_churn_rate,
        {{ safe_divide('revenue_12m_amount', 'active_customers_12m') }}
            as annual_revenue_per_customer_amount,
        greatest(coalesce(joined.revenue_target_amount, 0) - joined.revenue_amount, 0)
            as remaining_target_amount
    from joined
),

lifetimes as (
    select
        rates.*,
        case
            when rates.annual_churn_rate is null then null
            when rates.annual_churn_rate = 0 then {{ var('clv_max_lifetime_years') }}
            else least(1 / rates.annual_churn_rate, {{ var('clv_max_lifetime_years') }})
        end as expected_lifetime_years
    from rates
),

final as (
    select
        {{ surrogate_key(['scope_type', 'scope_id', 'month_start']) }} as sales_kpi_id,
        scope_type,
        scope_id,
        scope_name,
        month_start,
        cast('{{ var("reporting_currency") }}' as {{ dbt.type_string() }}) as reporting_currency,
        cast(revenue_amount as numeric(18, 2)) as revenue_amount,
        cast(completed_order_count as integer) as completed_order_count,
        cast(
            round({{ safe_divide('revenue_amount', 'completed_order_count') }}, 2)
            as numeric(18, 2)
        ) as avg_order_value_amount,
        cast(new_customer_count as integer) as new_customer_count,
        cast(marketing_spend_amount as numeric(18, 2)) as marketing_spend_amount,
        cast(
            round({{ safe_divide('marketing_spend_amount', 'new_customer_count') }}, 2)
            as numeric(18, 2)
        ) as cac_amount,
        cast(active_customers_12m as integer) as active_customers_12m,
        cast(round(annual_revenue_per_customer_amount, 2) as numeric(18, 2))
            as annual_revenue_per_customer_amount,
        cast(round(annual_churn_rate, 4) as numeric(9, 4)) as annual_churn_rate,
        cast(round(expected_lifetime_years, 4) as numeric(9, 4)) as expected_lifetime_years,
        cast(
            round(annual_revenue_per_customer_amount * expected_lifetime_years, 2)
            as numeric(18, 2)
        ) as clv_amount,
        cast(deals_won as integer) as deals_won,
        cast(deals_lost as integer) as deals_lost,
        cast(round({{ safe_divide('deals_won', 'deals_won + deals_lost') }}, 4) as numeric(9, 4))
            as conversion_rate,
        cast(round({{ safe_divide('won_cycle_days', 'deals_won') }}, 2) as numeric(10, 2))
            as avg_sales_cycle_days,
        cast(open_pipeline_amount as numeric(18, 2)) as open_pipeline_amount,
        cast(revenue_target_amount as numeric(18, 2)) as revenue_target_amount,
        cast(
            case when revenue_target_amount is not null then remaining_target_amount end
            as numeric(18, 2)
        ) as remaining_target_amount,
        cast(
            round({{ safe_divide('open_pipeline_amount', 'remaining_target_amount') }}, 4)
            as numeric(12, 4)
        ) as pipeline_coverage
    from lifetimes
)

select * from final
