with

source as (
    select * from {{ source('orders', 'order_lines') }}
),

renamed as (
    select
        order_line_id::text as order_line_id,
        order_id::text as order_id,
        product_id::text as product_id,
        quantity::integer as quantity,
        unit_price::numeric(18, 2) as unit_price_amount,
        (quantity * unit_price)::numeric(18, 2) as line_amount,
        updated_at,
        _dlt_load_id,
        'orders_db' as source_system
    from source
)

select * from renamed
