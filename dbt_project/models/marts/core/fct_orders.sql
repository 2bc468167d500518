{{
    config(
        materialized=incremental_materialization(),
        unique_key='order_id',
        incremental_strategy='delete+insert',
        indexes=[
            {'columns': ['order_date']},
            {'columns': ['rep_id']},
            {'columns': ['team_id']},
            {'columns': ['customer_id']},
        ],
    )
}}

{#-
    The contracted face of `int_orders_enriched`, where its rules are written, kept incremental
    on the same load cursor: each run copies the rows newer loads reached there, and the orders
    whose credited team changed (an org change rebuilds them there without a newer load).
-#}
with

orders as (
    select * from {{ ref('int_orders_enriched') }}
),

{% if is_incremental() %}
cutoff as (
    {{ incremental_load_cursor() }}
),

reassigned_orders as (
    select orders.order_id
    from orders
    inner join {{ this }} as built
        on orders.order_id = built.order_id
    where
        coalesce(orders.team_id, '') != coalesce(built.team_id, '')
        or coalesce(orders.region_id, '') != coalesce(built.region_id, '')
),
{% endif %}

final as (
    select orders.*
    from orders
    {% if is_incremental() -%}
    cross join cutoff
    where
        {{ loaded_after_cursor('orders') }}
        or orders.order_id in (select reassigned_orders.order_id from reassigned_orders)
    {%- endif %}
)

select * from final
