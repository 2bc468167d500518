{{
    config(
        indexes=[
            {'columns': ['month_start']},
            {'columns': ['scope_type', 'scope_id']},
        ],
    )
}}

{#-
    The headline KPIs per company, region and team scope and month: the formulas, on the month
    grid (int_scope_months_gridded), over four computations built below the mart: the summed
    actuals (int_scope_months_measured), marketing spend (int_marketing_spends_scoped),
    rolling customer value (int_customer_values_rolled) and the open pipeline
    (int_open_pipelines_tracked).
-#}
with

grid as (
    select * from {{ ref('int_scope_months_gridded') }}
),

measures as (
    select * from {{ ref('int_scope_months_measured') }}
),

spend_scoped as (
    select * from {{ ref('int_marketing_spends_scoped') }}
),

customer_value as (
    select * from {{ ref('int_customer_values_rolled') }}
),

open_pipeline as (
    select * from {{ ref('int_open_pipelines_tracked') }}
),

attainment as (
    select * from {{ ref('int_targets_attained') }}
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
