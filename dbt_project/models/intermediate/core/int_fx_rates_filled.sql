{#-
    One row per currency and day: the rate converting 1 unit of that currency into the reporting
    currency. A day without a published rate takes the latest earlier rate (weekends, holidays).
    A rate published only the other way round (reporting -> currency) is inverted; a direct rate
    wins when both exist. The reporting currency itself converts at exactly 1 on every day.
    `_dlt_load_id` is the load of the published rate a day uses (null for the reporting currency):
    incremental models rebuild the rows of the days a corrected or newly published rate reaches.
-#}
with

fx_rates as (
    select * from {{ ref('stg_finance__fx_rates') }}
),

calendar as (
    select * from {{ ref('int_calendar_days') }}
),

data_date as (
    select * from {{ ref('int_data_date') }}
),

published as (
    select
        rate_date,
        from_currency as currency,
        fx_rate,
        _dlt_load_id,
        1 as preference
    from fx_rates
    where to_currency = '{{ var("reporting_currency") }}'
    union all
    select
        rate_date,
        to_currency as currency,
        round(1 / fx_rate, 8) as fx_rate,
        _dlt_load_id,
        2 as preference
    from fx_rates
    where from_currency = '{{ var("reporting_currency") }}' and fx_rate > 0
),

ranked as (
    select
        rate_date,
        currency,
        fx_rate,
        _dlt_load_id,
        row_number() over (partition by rate_date, currency order by preference) as rate_rank
    from published
),

daily as (
    select
        rate_date,
        currency,
        fx_rate,
        _dlt_load_id
    from ranked
    where rate_rank = 1
),

currency_ranges as (
    select
        daily.currency,
        min(daily.rate_date) as first_rate_date,
        max(daily.rate_date) as last_rate_date
    from daily
    group by daily.currency
),

currency_days as (
    select
        calendar.date_day,
        currency_ranges.currency
    from currency_ranges
    cross join data_date
    inner join calendar
        on
            currency_ranges.first_rate_date <= calendar.date_day
            and (
                currency_ranges.last_rate_date >= calendar.date_day
                or data_date.data_date >= calendar.date_day
            )
),

with_gaps as (
    select
        currency_days.date_day,
        currency_days.currency,
        daily.fx_rate,
        daily._dlt_load_id,
        count(daily.fx_rate) over (
            partition by currency_days.currency
            order by currency_days.date_day
            rows between unbounded preceding and current row
        ) as rate_group
    from currency_days
    left join daily
        on
            currency_days.currency = daily.currency
            and currency_days.date_day = daily.rate_date
),

filled as (
    select
        date_day as rate_date,
        currency,
        max(fx_rate) over (partition by currency, rate_group) as fx_rate,
        max(_dlt_load_id) over (partition by currency, rate_group) as _dlt_load_id
    from with_gaps
    where currency != '{{ var("reporting_currency") }}'
),

reporting_currency_days as (
    select
        date_day as rate_date,
        '{{ var("reporting_currency") }}' as currency,
        1 as fx_rate,
        cast(null as {{ dbt.type_string() }}) as _dlt_load_id
    from calendar
),

final as (
    select
        rate_date,
        currency,
        cast(fx_rate as numeric(18, 8)) as fx_rate,
        cast(_dlt_load_id as {{ dbt.type_string() }}) as _dlt_load_id
    from filled
    union all
    select
        rate_date,
        currency,
        cast(fx_rate as numeric(18, 8)) as fx_rate,
        cast(_dlt_load_id as {{ dbt.type_string() }}) as _dlt_load_id
    from reporting_currency_days
)

select * from final
