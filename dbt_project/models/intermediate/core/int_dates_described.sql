with

calendar as (
    select * from {{ ref('int_calendar_days') }}
),

calendar_parts as (
    select
        date_day,
        cast(extract(year from date_day) as integer) as year_number,
        cast(extract(month from date_day) as integer) as month_number,
        cast(extract(day from date_day) as integer) as day_of_month,
        cast({{ dbt.date_trunc('week', 'date_day') }} as date) as week_start_date,
        {{ month_start('date_day') }} as month_start_date,
        cast({{ dbt.date_trunc('quarter', 'date_day') }} as date) as quarter_start_date,
        cast({{ dbt.date_trunc('year', 'date_day') }} as date) as year_start_date,
        mod(
            cast(extract(month from date_day) as integer)
            - {{ var('fiscal_year_start_month') }} + 12,
            12
        ) as fiscal_month_offset
    from calendar
),

fiscal as (
    select
        *,
        {{ day_diff('week_start_date', 'date_day') }} + 1 as day_of_week,
        {{ add_months('month_start_date', '-fiscal_month_offset') }} as fiscal_year_start_date,
        cast(floor(fiscal_month_offset / 3) as integer) + 1 as fiscal_quarter
    from calendar_parts
),

final as (
    select
        date_day,
        year_number,
        cast(extract(quarter from date_day) as integer) as quarter_number,
        month_number,
        day_of_month,
        day_of_week,
        day_of_week >= 6 as is_weekend,
        week_start_date,
        month_start_date,
        {{ add_days(add_months('month_start_date', 1), -1) }} as month_end_date,
        {{ day_diff('month_start_date', add_months('month_start_date', 1)) }}
            as days_in_month,
        quarter_start_date,
        year_start_date,
        cast(extract(year from {{ add_months('fiscal_year_start_date', 11) }}) as integer)
            as fiscal_year,
        fiscal_quarter,
        fiscal_year_start_date,
        {{ add_months('fiscal_year_start_date', '(fiscal_quarter - 1) * 3') }}
            as fiscal_quarter_start_date
    from fiscal
)

select * from final
