{#- The KPI measures that are plain sums of the scoped actuals, per scope and month. -#}
with

performance as (
    select * from {{ ref('int_performance_monthly_scoped') }}
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

final as (
    select * from measures
)

select * from final
