with

orders as (
    select * from {{ ref('stg_orders__orders') }}
),

order_lines as (
    select * from {{ ref('int_order_lines_enriched') }}
),

fx_rates as (
    select * from {{ ref('int_fx_rates_filled') }}
),

line_totals as (
    select
        order_id,
        count(*) as line_count,
        sum(gross_amount) as gross_amount,
        sum(refunded_amount) as refunded_amount,
        sum(gross_reporting_amount) as gross_reporting_amount,
        sum(refunded_reporting_amount) as refunded_reporting_amount,
        max(last_refund_date) as last_refund_date
    from order_lines
    group by order_id
),

{# An order without lines is worth 0 in both currencies (null reporting amounts: no FX rate). #}
order_totals as (
    select
        orders.order_id,
        coalesce(line_totals.line_count, 0) as line_count,
        coalesce(line_totals.gross_amount, 0) as gross_amount,
        coalesce(line_totals.refunded_amount, 0) as refunded_amount,
        case
            when line_totals.order_id is not null then line_totals.gross_reporting_amount
            when fx_rates.fx_rate is not null then 0
        end as gross_reporting_amount,
        case
            when line_totals.order_id is not null then line_totals.refunded_reporting_amount
            when fx_rates.fx_rate is not null then 0
        end as refunded_reporting_amount,
        line_totals.last_refund_date,
        fx_rates.fx_rate
    from orders
    left join line_totals
        on orders.order_id = line_totals.order_id
    left join fx_rates
        on
            orders.order_currency = fx_rates.currency
            and orders.order_date = fx_rates.rate_date
),

credited_teams as (
    {{ assign_teams_on_date('orders', ['order_id'], 'owner_id', 'order_date') }}
),

first_orders as (
    select
        order_id,
        row_number() over (
            partition by customer_id order by ordered_at, order_id
        ) as completed_order_number
    from orders
    where status = 'completed'
),

final as (
    select
        orders.order_id,
        orders.customer_id,
        orders.owner_id as rep_id,
        credited_teams.team_id,
        credited_teams.region_id,
        orders.deal_id,
        orders.ordered_at,
        orders.order_date,
        orders.status,
        orders.status = 'cancelled' as is_cancelled,
        coalesce(first_orders.completed_order_number = 1, false) as is_first_order,
        orders.order_currency,
        cast(order_totals.line_count as integer) as line_count,
        cast(order_totals.gross_amount as numeric(18, 2)) as gross_amount,
        cast(order_totals.refunded_amount as numeric(18, 2)) as refunded_amount,
        cast(order_totals.gross_amount - order_totals.refunded_amount as numeric(18, 2))
            as net_amount,
        order_totals.last_refund_date,
        cast('{{ var("reporting_currency") }}' as {{ dbt.type_string() }}) as reporting_currency,
        cast(order_totals.fx_rate as numeric(18, 8)) as fx_rate,
        cast(order_totals.gross_reporting_amount as numeric(18, 2)) as gross_reporting_amount,
        cast(order_totals.refunded_reporting_amount as numeric(18, 2))
            as refunded_reporting_amount,
        cast(
            order_totals.gross_reporting_amount - order_totals.refunded_reporting_amount
            as numeric(18, 2)
        ) as net_reporting_amount,
        orders.source_system
    from orders
    inner join order_totals
        on orders.order_id = order_totals.order_id
    left join credited_teams
        on orders.order_id = credited_teams.order_id
    left join first_orders
        on orders.order_id = first_orders.order_id
)

select * from final
