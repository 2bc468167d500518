{{
    config(
        materialized=incremental_materialization(),
        unique_key='order_line_id',
        incremental_strategy='delete+insert',
        indexes=[
            {'columns': ['order_date']},
            {'columns': ['rep_id']},
            {'columns': ['order_id']},
            {'columns': ['product_id']},
        ],
    )
}}

{#-
    The contracted face of `int_order_lines_enriched` (its rules live there), kept incremental on the
    same load cursor: each run copies only the rows the new loads touched.
-#}
with

order_lines as (
    select * from {{ ref('int_order_lines_enriched') }}
),

{% if is_incremental() %}
cutoff as (
    {{ incremental_load_cursor() }}
),
{% endif %}

final as (
    select order_lines.*
    from order_lines
    {% if is_incremental() -%}
    cross join cutoff
    where {{ loaded_after_cursor('order_lines') }}
    {%- endif %}
)

select * from final
