with

products as (
    select * from {{ ref('stg_orders__products') }}
),

final as (
    select
        product_id,
        cast(product_name as {{ dbt.type_string() }}) as product_name,
        cast(coalesce(product_line, 'unassigned') as {{ dbt.type_string() }}) as product_line,
        list_price_amount,
        list_price_currency,
        source_system
    from products
)

select * from final
