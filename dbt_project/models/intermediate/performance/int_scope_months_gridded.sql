{#-
    The month grid of the KPIs: every company, region and team scope x every month from the
    first month with an actual up to the data date, with the day its figures are measured on
    (`as_of_date`: the month's last day, or the data date in the current month).
-#}
with

performance as (
    select * from {{ ref('int_performance_monthly_scoped') }}
),

scope_names as (
    select * from {{ ref('int_scopes_listed') }}
),

calendar as (
    select * from {{ ref('int_dates_described') }}
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

final as (
    select * from grid
)

select * from final
