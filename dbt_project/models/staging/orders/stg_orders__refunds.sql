with

source as (
    select * from {{ source('orders', 'refunds') }}
),

final as (
    select
        refund_id::text as refund_id,
        order_id::text as order_id,
        order_line_id::text as order_line_id,
        lower(refund_type) as refund_type,
        refunded_at,
        refunded_at::date as refund_date,
        -- stored positive in the order's currency, whatever sign the source used
        abs(amount)::numeric(18, 2) as refund_amount,
        updated_at,
        _dlt_load_id,
        'orders_db' as source_system
    from source
)

select * from final
