with

source as (
    select * from {{ source('orders', 'products') }}
),

renamed as (
    select
        cast(product_id as {{ dbt.type_string() }}) as product_id,
        product_name,
        product_line,
        cast(list_price as numeric(18, 2)) as list_price_amount,
        upper(currency) as list_price_currency,
        updated_at,
        _dlt_load_id,
        'orders_db' as source_system
    from source
)

select * from renamed
