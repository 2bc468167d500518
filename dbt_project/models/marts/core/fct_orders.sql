with

orders as (
    select * from {{ ref('stg_orders__orders') }}
),

order_lines as (
    select * from {{ ref('stg_orders__order_lines') }}
),

order_totals as (
    select
        order_id,
        count(*) as line_count,
        sum(line_amount) as gross_amount
    from order_lines
    group by order_id
),

final as (
    select
        orders.order_id,
        orders.customer_id,
        orders.owner_id as rep_id,
        orders.order_date,
        orders.status,
        orders.order_currency,
        coalesce(order_totals.line_count, 0)::integer as line_count,
        coalesce(order_totals.gross_amount, 0)::numeric(18, 2) as gross_amount,
        case
            when orders.status = 'cancelled' then 0
            else coalesce(order_totals.gross_amount, 0)
        end::numeric(18, 2) as net_amount
    from orders
    left join order_totals
        on orders.order_id = order_totals.order_id
)

select * from final
