{{
    config(
        indexes=[
            {'columns': ['order_date']},
            {'columns': ['rep_id']},
            {'columns': ['team_id']},
            {'columns': ['customer_id']},
        ],
    )
}}

{#- The contracted face of `int_orders_enriched`, where its rules are written. -#}
with

orders as (
    select * from {{ ref('int_orders_enriched') }}
),

final as (
    select * from orders
)

select * from final
