{#- Marketing spend per company and region scope and month, in the reporting currency. -#}
with

marketing_spend as (
    select * from {{ ref('stg_finance__marketing_spend') }}
),

fx_rates as (
    select * from {{ ref('int_fx_rates_filled') }}
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

final as (
    select * from spend_scoped
)

select * from final
