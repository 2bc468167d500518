{#-
    Every target as monthly parts. A monthly target is its own part. A quarterly or yearly target
    is split over its 3 or 12 months by, in order of preference: its own monthly weights; last
    year's monthly actuals of the same scope and metric (seasonality); the company's last-year
    actuals of that metric; equal shares. Parts are exact to the cent for revenue and to the unit
    for counts, and always sum to the target (the largest-remainder rule, see
    `allocate_largest_remainder`; ties go to the earlier month).
-#}
with

targets as (
    select * from {{ ref('stg_finance__targets') }}
),

target_weights as (
    select * from {{ ref('stg_finance__target_weights') }}
),

calendar as (
    select * from {{ ref('int_calendar_days') }}
),

actuals as (
    select * from {{ ref('int_performance_monthly_scoped') }}
),

given_months as (
    select
        target_id,
        scope_type,
        scope_id,
        metric,
        period_start as month_start,
        target_amount,
        period_type as source_period_type,
        period_start as source_period_start,
        'given' as allocation_method
    from targets
    where period_type = 'month'
),

parent_targets as (
    select
        target_id,
        scope_type,
        scope_id,
        metric,
        period_type,
        period_start,
        target_amount,
        case when period_type = 'quarter' then 3 else 12 end as month_count
    from targets
    where period_type in ('quarter', 'year')
),

parent_periods as (
    select
        *,
        {{ add_months('period_start', 'month_count') }} as period_end
    from parent_targets
),

parent_months as (
    select
        parent_periods.*,
        calendar.date_day as month_start
    from parent_periods
    inner join calendar
        on
            parent_periods.period_start <= calendar.date_day
            and parent_periods.period_end > calendar.date_day
            and calendar.date_day = {{ month_start('calendar.date_day') }}
),

with_history as (
    select
        parent_months.*,
        target_weights.weight as given_weight,
        coalesce(scope_last_year.actual_amount, 0) as scope_last_year_amount,
        coalesce(company_last_year.actual_amount, 0) as company_last_year_amount
    from parent_months
    left join target_weights
        on
            parent_months.target_id = target_weights.target_id
            and parent_months.month_start = target_weights.month_start
    left join actuals as scope_last_year
        on
            parent_months.scope_type = scope_last_year.scope_type
            and parent_months.scope_id = scope_last_year.scope_id
            and parent_months.metric = scope_last_year.metric
            and {{ add_months('parent_months.month_start', -12) }} = scope_last_year.month_start
    left join actuals as company_last_year
        on
            company_last_year.scope_type = 'company'
            and parent_months.metric = company_last_year.metric
            and {{ add_months('parent_months.month_start', -12) }} = company_last_year.month_start
),

method_chosen as (
    select
        *,
        case
            when count(given_weight) over (partition by target_id) > 0 then 'weights'
            when sum(scope_last_year_amount) over (partition by target_id) > 0 then 'seasonality'
            when sum(company_last_year_amount) over (partition by target_id) > 0
                then 'company_seasonality'
            else 'equal'
        end as allocation_method
    from with_history
),

weighted as (
    select
        target_id,
        scope_type,
        scope_id,
        metric,
        period_type,
        period_start,
        target_amount,
        month_start,
        allocation_method,
        case allocation_method
            when 'weights' then coalesce(given_weight, 0)
            when 'seasonality' then scope_last_year_amount
            when 'company_seasonality' then company_last_year_amount
            else 1
        end as allocation_weight,
        case when metric = 'revenue' then 0.01 else 1 end as allocation_unit
    from method_chosen
),

allocated as (
    {{ allocate_largest_remainder(
        'weighted', 'target_id', 'month_start', 'target_amount', 'allocation_weight', 'allocation_unit'
    ) }}
),

final as (
    select
        target_id,
        scope_type,
        scope_id,
        metric,
        month_start,
        cast(target_amount as numeric(18, 2)) as target_amount,
        source_period_type,
        source_period_start,
        allocation_method
    from given_months
    union all
    select
        target_id,
        scope_type,
        scope_id,
        metric,
        month_start,
        cast(allocated_amount as numeric(18, 2)) as target_amount,
        period_type as source_period_type,
        period_start as source_period_start,
        allocation_method
    from allocated
)

select * from final
