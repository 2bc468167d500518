with

source as (
    select * from {{ source('orders', 'refunds') }}
),

final as (
    select
        cast(refund_id as {{ dbt.type_string() }}) as refund_id,
        cast(order_id as {{ dbt.type_string() }}) as order_id,
        cast(order_line_id as {{ dbt.type_string() }}) as order_line_id,
        lower(refund_type) as refund_type,
        refunded_at,
        cast(refunded_at as date) as refund_date,
        -- stored positive in the order's currency, whatever sign the source used
        cast(abs(amount) as numeric(18, 2)) as refund_amount,
        updated_at,
        _dlt_load_id,
        'orders_db' as source_system
    from source
)

select * from final
