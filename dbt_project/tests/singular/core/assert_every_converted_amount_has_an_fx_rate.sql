{#
    Every amount converted to the reporting currency found its FX rate (int_fx_rates_filled: the
    rate of the day, else the latest earlier one). A missing rate would leave a NULL in a
    reporting-currency money column; instead the build fails here, one row per model, currency and
    date without a rate, with how many rows need it and up to five of their ids. The fix: load the
    rate (finance's FX file) and rebuild.
#}
with

order_lines as (
    select * from {{ ref('int_order_lines_enriched') }}
),

orders as (
    select * from {{ ref('int_orders_enriched') }}
),

deals as (
    select * from {{ ref('int_deals_enriched') }}
),

marketing_spend as (
    select * from {{ ref('stg_finance__marketing_spend') }}
),

fx_rates as (
    select * from {{ ref('int_fx_rates_filled') }}
),

unconverted_spend as (
    select
        marketing_spend.spend_currency,
        marketing_spend.month_start,
        {{ dbt.concat([
            'marketing_spend.channel', "'/'", "coalesce(marketing_spend.region_id, 'all')",
        ]) }} as spend_key
    from marketing_spend
    left join fx_rates
        on
            marketing_spend.spend_currency = fx_rates.currency
            and marketing_spend.month_start = fx_rates.rate_date
    where fx_rates.fx_rate is null and marketing_spend.spend_amount is not null
),

unconverted as (
    select
        'int_order_lines_enriched' as model_name,
        order_currency as currency,
        order_date as rate_date,
        order_line_id as row_id
    from order_lines
    where fx_rate is null
    union all
    select
        'int_orders_enriched' as model_name,
        order_currency as currency,
        order_date as rate_date,
        order_id as row_id
    from orders
    where fx_rate is null
    union all
    select
        'int_deals_enriched' as model_name,
        deal_currency as currency,
        coalesce(closed_date, created_date) as rate_date,
        deal_id as row_id
    from deals
    where fx_rate is null and deal_amount is not null
    union all
    select
        'stg_finance__marketing_spend' as model_name,
        spend_currency as currency,
        month_start as rate_date,
        spend_key as row_id
    from unconverted_spend
),

final as (
    select
        model_name,
        currency,
        rate_date,
        count(*) as row_count,
        {{ dbt.listagg('row_id', "', '", 'order by row_id', 5) }} as sample_row_ids
    from unconverted
    group by model_name, currency, rate_date
    order by rate_date, currency, model_name
    limit 50
)

select * from final
