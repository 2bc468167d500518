with

source as (
    select * from {{ source('orders', 'orders') }}
),

renamed as (
    select
        order_id::text as order_id,
        customer_id::text as customer_id,
        sales_rep_id::text as owner_id,
        deal_id::text as deal_id,
        ordered_at,
        ordered_at::date as order_date,
        upper(currency) as order_currency,
        lower(status) as status,
        updated_at,
        _dlt_load_id,
        'orders_db' as source_system
    from source
)

select * from renamed
