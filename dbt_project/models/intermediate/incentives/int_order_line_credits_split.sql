{#-
    Credited revenue: one row per order line and credited rep, in the reporting currency and
    before refunds (refunds reverse commission as clawbacks in their own period). A deal listed in
    the credit splits register is shared by its percentages, to the cent by largest remainder so
    the credits always add up to the line; otherwise the order's rep gets it all. A cancelled
    order with no cancellation or refund record was never booked and earns nothing.
    The order lines are the booked ones, or in the forecast scenario those of the forecast month
    and the open deals expected in it (commission_order_lines(), docs/forecast.md).
-#}
with

order_lines as (
    select * from {{ commission_order_lines() }}
),

products as (
    select * from {{ ref('stg_orders__products') }}
),

refunds as (
    select * from {{ ref('stg_orders__refunds') }}
),

credit_splits as (
    select * from {{ ref('stg_plans__credit_splits') }}
),

booked_lines as (
    select order_lines.*
    from order_lines
    where
        order_lines.order_status != 'cancelled'
        or exists (
            select 1
            from refunds
            where refunds.order_id = order_lines.order_id
        )
),

shares as (
    select
        booked_lines.order_line_id,
        booked_lines.order_id,
        booked_lines.deal_id,
        booked_lines.order_date,
        products.product_line,
        coalesce(credit_splits.rep_id, booked_lines.rep_id) as rep_id,
        coalesce(credit_splits.credit_share, 1) as credit_share,
        booked_lines.gross_reporting_amount as line_amount,
        booked_lines.reporting_currency
    from booked_lines
    left join products
        on booked_lines.product_id = products.product_id
    left join credit_splits
        on booked_lines.deal_id = credit_splits.deal_id
),

allocated as (
    {{ allocate_largest_remainder(
        'shares', 'order_line_id', 'rep_id', 'line_amount', 'credit_share', 0.01
    ) }}
),

final as (
    select
        order_line_id,
        order_id,
        deal_id,
        order_date,
        product_line,
        rep_id,
        cast(credit_share as numeric(9, 4)) as credit_share,
        cast(allocated_amount as numeric(18, 2)) as credited_amount,
        reporting_currency as credited_currency
    from allocated
)

select * from final
