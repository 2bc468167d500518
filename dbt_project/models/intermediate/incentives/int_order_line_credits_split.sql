{#-
    Credited revenue: one row per order line and credited rep, in the reporting currency and
    before refunds (refunds reverse commission as clawbacks in their own period). A deal listed in
    the credit splits register is shared by its percentages, to the cent by largest remainder so
    the credits always add up to the line; otherwise the order's rep gets it all. A cancelled
    order with no cancellation or refund record was never booked and earns nothing.
    The order lines are the booked ones, or in the forecast scenario those of the forecast month
    and the open deals expected in it (commission_order_lines(), docs/forecast.md).

    Incremental by commission period (delete+insert on `period_start`, the month of the order
    date) on PostgreSQL: every month's shares before the split (order line, order, deal, date,
    product line, rep, share, amount, currency) are hashed (`inputs_digest`;
    macros/utils/months_rewritten.sql) and a run splits again only the months whose hash differs
    from the built one. A month is rewritten whatever reached it: a new, changed, cancelled or
    re-dated order line (the month it left and the one it entered), an FX correction, a changed
    product line or credit split. A month left with no credits is deleted by a marker row (null
    `inputs_digest`), removed by the post-hook with any row built before digests were kept.
-#}
{{
    config(
        materialized=incremental_materialization(),
        unique_key='period_start',
        incremental_strategy='delete+insert',
        on_schema_change='sync_all_columns',
        post_hook=["{% if is_incremental() %}delete from {{ this }} where inputs_digest is null{% endif %}"],
        indexes=[
            {'columns': ['period_start']},
        ],
    )
}}

with

order_lines as (
    select * from {{ commission_order_lines() }}
),

products as (
    select * from {{ ref('stg_orders__products') }}
),

refunds as (
    select * from {{ ref('stg_orders__refunds') }}
),

credit_splits as (
    select * from {{ ref('stg_plans__credit_splits') }}
),

booked_lines as (
    select order_lines.*
    from order_lines
    where
        order_lines.order_status != 'cancelled'
        or exists (
            select 1
            from refunds
            where refunds.order_id = order_lines.order_id
        )
),

shares as (
    select
        booked_lines.order_line_id,
        booked_lines.order_id,
        booked_lines.deal_id,
        booked_lines.order_date,
        {{ month_start('booked_lines.order_date') }} as period_start,
        products.product_line,
        coalesce(credit_splits.rep_id, booked_lines.rep_id) as rep_id,
        coalesce(credit_splits.credit_share, 1) as credit_share,
        booked_lines.gross_reporting_amount as line_amount,
        booked_lines.reporting_currency
    from booked_lines
    left join products
        on booked_lines.product_id = products.product_id
    left join credit_splits
        on booked_lines.deal_id = credit_splits.deal_id
),

share_digests as (
    {{ month_digests(
        'shares',
        'period_start',
        ['order_line_id', 'order_id', 'deal_id', 'order_date', 'product_line', 'rep_id',
            'credit_share', 'line_amount', 'reporting_currency'],
    ) }}
),

written_months as (
    {{ months_rewritten('share_digests', 'period_start') }}
),

rewritten_shares as (
    select shares.*
    from shares
    where shares.period_start in (select written_months.period_start from written_months)
),

allocated as (
    {{ allocate_largest_remainder(
        'rewritten_shares', 'order_line_id', 'rep_id', 'line_amount', 'credit_share', 0.01
    ) }}
),

{# A month left with no credits gets one row of nulls: it deletes the month's rows, then itself. #}
final as (
    select
        allocated.order_line_id,
        allocated.order_id,
        allocated.deal_id,
        allocated.order_date,
        allocated.product_line,
        allocated.rep_id,
        cast(allocated.credit_share as numeric(9, 4)) as credit_share,
        cast(allocated.allocated_amount as numeric(18, 2)) as credited_amount,
        allocated.reporting_currency as credited_currency,
        written_months.period_start,
        written_months.inputs_digest
    from written_months
    left join allocated
        on written_months.period_start = allocated.period_start
)

select * from final
