with

source as (
    select * from {{ source('orders', 'order_lines') }}
),

renamed as (
    select
        cast(order_line_id as {{ dbt.type_string() }}) as order_line_id,
        cast(order_id as {{ dbt.type_string() }}) as order_id,
        cast(product_id as {{ dbt.type_string() }}) as product_id,
        cast(quantity as integer) as quantity,
        cast(unit_price as numeric(18, 2)) as unit_price_amount,
        cast((quantity * unit_price) as numeric(18, 2)) as line_amount,
        updated_at,
        _dlt_load_id,
        'orders_db' as source_system
    from source
)

select * from renamed
