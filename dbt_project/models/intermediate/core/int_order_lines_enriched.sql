{{
    config(
        materialized=incremental_materialization(),
        unique_key='order_line_id',
        incremental_strategy='delete+insert',
        on_schema_change='sync_all_columns',
        indexes=[
            {'columns': ['order_line_id'], 'unique': True},
            {'columns': ['order_date']},
            {'columns': ['rep_id']},
            {'columns': ['order_id']},
            {'columns': ['product_id']},
        ],
    )
}}

with

orders as (
    select * from {{ ref('stg_orders__orders') }}
),

order_lines as (
    select * from {{ ref('stg_orders__order_lines') }}
),

refunds as (
    select * from {{ ref('stg_orders__refunds') }}
),

fx_rates as (
    select * from {{ ref('int_fx_rates_filled') }}
),

{% if is_incremental() %}
cutoff as (
    {{ incremental_load_cursor() }}
),

changed_orders as (
    select orders.order_id
    from orders
    cross join cutoff
    where {{ loaded_after_cursor('orders') }}
    union
    select order_lines.order_id
    from order_lines
    cross join cutoff
    where {{ loaded_after_cursor('order_lines') }}
    union
    select refunds.order_id
    from refunds
    cross join cutoff
    where {{ loaded_after_cursor('refunds') }}
    union
    {#- a corrected or newly published rate: the orders of the days it converts #}
    select orders.order_id
    from orders
    inner join fx_rates
        on
            orders.order_currency = fx_rates.currency
            and orders.order_date = fx_rates.rate_date
    cross join cutoff
    where {{ loaded_after_cursor('fx_rates') }}
),
{% endif %}

scoped_lines as (
    select order_lines.*
    from order_lines
    {% if is_incremental() -%}
    where order_lines.order_id in (select changed_orders.order_id from changed_orders)
    {%- endif %}
),

order_refund_activity as (
    select
        order_id,
        max(updated_at) as refunds_updated_at,
        max(cast(_dlt_load_id as {{ type_exact_numeric() }})) as refunds_load_id
    from refunds
    group by order_id
),

line_refunds as (
    select
        order_line_id,
        sum(refund_amount) as refund_amount,
        max(refund_date) as last_refund_date
    from refunds
    where order_line_id is not null
    group by order_line_id
),

order_level_refunds as (
    select
        order_id,
        sum(refund_amount) as refund_amount,
        max(refund_date) as last_refund_date
    from refunds
    where order_line_id is null
    group by order_id
),

lines_sharing_order_refunds as (
    select
        scoped_lines.order_line_id,
        scoped_lines.order_id,
        scoped_lines.line_amount,
        order_level_refunds.refund_amount as order_refund_amount,
        sum(scoped_lines.line_amount)
            over (partition by scoped_lines.order_id)
            as order_gross_amount
    from scoped_lines
    inner join order_level_refunds
        on scoped_lines.order_id = order_level_refunds.order_id
),

allocatable as (
    select *
    from lines_sharing_order_refunds
    where order_gross_amount > 0
),

{# A whole-order refund is shared by the lines in proportion to their amounts, to the cent. #}
allocated_order_refunds as (
    {{ allocate_largest_remainder(
        'allocatable', 'order_id', 'order_line_id', 'order_refund_amount', 'line_amount', 0.01
    ) }}
),

lines_with_refunds as (
    select
        scoped_lines.order_line_id,
        scoped_lines.order_id,
        scoped_lines.product_id,
        scoped_lines.quantity,
        scoped_lines.unit_price_amount,
        scoped_lines.line_amount as gross_amount,
        orders.customer_id,
        orders.owner_id as rep_id,
        orders.deal_id,
        orders.order_date,
        orders.status as order_status,
        orders.order_currency,
        case
            when orders.status = 'cancelled' then scoped_lines.line_amount
            else
                least(
                    scoped_lines.line_amount,
                    coalesce(line_refunds.refund_amount, 0)
                    + coalesce(allocated_order_refunds.allocated_amount, 0)
                )
        end as refunded_amount,
        greatest(
            coalesce(line_refunds.last_refund_date, order_level_refunds.last_refund_date),
            coalesce(order_level_refunds.last_refund_date, line_refunds.last_refund_date)
        ) as last_refund_date,
        greatest(
            scoped_lines.updated_at,
            orders.updated_at,
            coalesce(order_refund_activity.refunds_updated_at, orders.updated_at)
        ) as source_updated_at,
        {{ newest_load_id([
            'scoped_lines._dlt_load_id',
            'orders._dlt_load_id',
            'coalesce(order_refund_activity.refunds_load_id, 0)',
        ]) }} as lines_load_id,
        scoped_lines.source_system
    from scoped_lines
    inner join orders
        on scoped_lines.order_id = orders.order_id
    left join line_refunds
        on scoped_lines.order_line_id = line_refunds.order_line_id
    left join allocated_order_refunds
        on scoped_lines.order_line_id = allocated_order_refunds.order_line_id
    left join order_level_refunds
        on scoped_lines.order_id = order_level_refunds.order_id
    left join order_refund_activity
        on scoped_lines.order_id = order_refund_activity.order_id
),

converted as (
    select
        lines_with_refunds.*,
        fx_rates.fx_rate,
        round(lines_with_refunds.gross_amount * fx_rates.fx_rate, 2) as gross_reporting_amount,
        round(lines_with_refunds.refunded_amount * fx_rates.fx_rate, 2)
            as refunded_reporting_amount,
        {{ newest_load_id([
            'lines_with_refunds.lines_load_id',
            "coalesce(fx_rates._dlt_load_id, '0')",
        ]) }} as _dlt_load_id
    from lines_with_refunds
    left join fx_rates
        on
            lines_with_refunds.order_currency = fx_rates.currency
            and lines_with_refunds.order_date = fx_rates.rate_date
),

final as (
    select
        order_line_id,
        order_id,
        product_id,
        customer_id,
        rep_id,
        deal_id,
        order_date,
        order_status,
        order_currency,
        quantity,
        cast(unit_price_amount as numeric(18, 2)) as unit_price_amount,
        cast(gross_amount as numeric(18, 2)) as gross_amount,
        cast(refunded_amount as numeric(18, 2)) as refunded_amount,
        cast(gross_amount - refunded_amount as numeric(18, 2)) as net_amount,
        last_refund_date,
        cast('{{ var("reporting_currency") }}' as {{ dbt.type_string() }}) as reporting_currency,
        cast(fx_rate as numeric(18, 8)) as fx_rate,
        cast(gross_reporting_amount as numeric(18, 2)) as gross_reporting_amount,
        cast(refunded_reporting_amount as numeric(18, 2)) as refunded_reporting_amount,
        cast(gross_reporting_amount - refunded_reporting_amount as numeric(18, 2))
            as net_reporting_amount,
        source_updated_at,
        source_system,
        _dlt_load_id
    from converted
)

select * from final
