{#-
    The order lines of the forecast scenario: what the commission chain credits when it works out
    the expected commission of the forecast month (docs/forecast.md, "Expected commission"). The
    chain reads them instead of the booked order lines when run with the var
    `commission_scenario: forecast` (commission_order_lines()); nothing else differs.
    - Forecast month: the month holding the day after the data date, the month today's forecast
      is of.
    - Booked lines: every order line of the forecast month, as booked.
    - Expected lines: each open deal of the data date's pipeline due by the month's end with an
      amount and a probability (the deals the Monte Carlo draws), weighted by its empirical win
      probability: amount x probability, rounded to the cent, dated on its expected close date,
      credited to its rep (and split as the credit splits register says, by the chain). A deal at
      probability 0 adds nothing and has no line.
    - Product mix: a deal with CRM line items (Salesforce opportunity line items) is shared among
      them by their total prices, to the cent by largest remainder; each line's product is the
      item's product code, which names the product in the orders database when the two catalogues
      share codes. A deal without line items is one line without a product, which the plan pays
      at its default rate.
-#}
{%- set forecast_month_start = month_start(add_days('data_date.data_date', 1)) %}

with

order_lines as (
    select * from {{ ref('int_order_lines_enriched') }}
),

scored_deals as (
    select * from {{ ref('int_forecast_deals_scored') }}
),

crm_line_items as (
    select * from {{ ref('stg_salesforce__opportunity_line_items') }}
),

crm_products as (
    select * from {{ ref('stg_salesforce__products') }}
),

data_date as (
    select * from {{ ref('int_data_date') }}
),

forecast_month as (
    select
        data_date.data_date as forecast_date,
        {{ forecast_month_start }} as period_start,
        {{ add_days(add_months(forecast_month_start, 1), -1) }} as period_end_date
    from data_date
),

booked_lines as (
    select
        order_lines.order_line_id,
        order_lines.order_id,
        order_lines.deal_id,
        order_lines.product_id,
        order_lines.rep_id,
        order_lines.order_date,
        order_lines.order_status,
        order_lines.gross_reporting_amount,
        order_lines.reporting_currency,
        false as is_expected,
        cast(null as numeric(18, 2)) as deal_amount,
        cast(null as numeric(9, 4)) as win_probability,
        forecast_month.forecast_date,
        forecast_month.period_start
    from order_lines
    inner join forecast_month
        on
            order_lines.order_date >= forecast_month.period_start
            and order_lines.order_date <= forecast_month.period_end_date
),

expected_deals as (
    select
        scored_deals.deal_id,
        scored_deals.rep_id,
        scored_deals.expected_close_date,
        scored_deals.amount as deal_amount,
        scored_deals.empirical_probability as win_probability,
        forecast_month.forecast_date,
        forecast_month.period_start,
        {{ money_round('scored_deals.amount * scored_deals.empirical_probability') }}
            as expected_amount
    from scored_deals
    inner join forecast_month
        on scored_deals.snapshot_date = forecast_month.forecast_date
    where
        scored_deals.expected_close_date <= forecast_month.period_end_date
        and scored_deals.amount is not null
        and scored_deals.empirical_probability > 0
),

deal_items as (
    select
        crm_line_items.line_item_id,
        crm_line_items.deal_id,
        crm_products.product_code,
        crm_line_items.total_price_amount
    from crm_line_items
    left join crm_products
        on crm_line_items.product_id = crm_products.product_id
    where not crm_line_items.is_deleted and crm_line_items.total_price_amount > 0
),

itemised as (
    select
        expected_deals.*,
        deal_items.line_item_id,
        deal_items.product_code,
        deal_items.total_price_amount
    from expected_deals
    inner join deal_items
        on expected_deals.deal_id = deal_items.deal_id
),

allocated_items as (
    {{ allocate_largest_remainder(
        'itemised', 'deal_id', 'line_item_id', 'expected_amount', 'total_price_amount', 0.01
    ) }}
),

expected_item_lines as (
    select
        'expected:' || deal_id || ':' || line_item_id as order_line_id,
        product_code as product_id,
        allocated_amount as gross_reporting_amount,
        deal_id,
        rep_id,
        expected_close_date,
        deal_amount,
        win_probability,
        forecast_date,
        period_start
    from allocated_items
),

expected_deal_lines as (
    select
        'expected:' || deal_id as order_line_id,
        cast(null as {{ dbt.type_string() }}) as product_id,
        expected_amount as gross_reporting_amount,
        deal_id,
        rep_id,
        expected_close_date,
        deal_amount,
        win_probability,
        forecast_date,
        period_start
    from expected_deals
    where not exists (
        select 1
        from deal_items
        where deal_items.deal_id = expected_deals.deal_id
    )
),

expected_lines as (
    select * from expected_item_lines
    union all
    select * from expected_deal_lines
),

unioned as (
    select * from booked_lines
    union all
    select
        order_line_id,
        'expected:' || deal_id as order_id,
        deal_id,
        product_id,
        rep_id,
        expected_close_date as order_date,
        'expected' as order_status,
        gross_reporting_amount,
        cast('{{ var("reporting_currency") }}' as {{ dbt.type_string() }}) as reporting_currency,
        true as is_expected,
        deal_amount,
        win_probability,
        forecast_date,
        period_start
    from expected_lines
),

final as (
    select
        order_line_id,
        order_id,
        deal_id,
        product_id,
        rep_id,
        order_date,
        order_status,
        cast(gross_reporting_amount as numeric(18, 2)) as gross_reporting_amount,
        reporting_currency,
        is_expected,
        deal_amount,
        win_probability,
        forecast_date,
        period_start
    from unioned
)

select * from final
