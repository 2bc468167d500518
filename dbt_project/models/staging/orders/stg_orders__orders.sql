with

source as (
    select * from {{ source('orders', 'orders') }}
),

renamed as (
    select
        cast(order_id as {{ dbt.type_string() }}) as order_id,
        cast(customer_id as {{ dbt.type_string() }}) as customer_id,
        cast(sales_rep_id as {{ dbt.type_string() }}) as owner_id,
        cast(deal_id as {{ dbt.type_string() }}) as deal_id,
        ordered_at,
        cast(ordered_at as date) as order_date,
        upper(currency) as order_currency,
        lower(status) as status,
        updated_at,
        _dlt_load_id,
        'orders_db' as source_system
    from source
)

select * from renamed
