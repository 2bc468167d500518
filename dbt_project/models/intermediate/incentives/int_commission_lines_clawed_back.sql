{#-
    Clawbacks: a refund or cancellation within the plan's window (days from the order date)
    reverses, in the period the refund happens, the commission paid on the refunded part of the
    order line, rule by rule at the rate originally paid. "Originally paid" is the frozen line for
    a closed period (a later recalculation never changes what is clawed back), else the line as
    computed now. basis = the paid line's basis x refunded / refundable amount; rate = minus the
    paid line's rate. Cap reductions are not reversed.
    Only the lines of refunded order lines are gathered as paid lines (a few percent of all
    lines): a refund reaches no other.
-#}
with

revenue_lines as (
    select * from {{ ref('int_commission_lines_revenue') }}
),

closed_lines as (
    select * from {{ ref('stg_incentives_closed__commission_lines') }}
),

refund_events as (
    select * from {{ ref('int_refund_events_allocated') }}
),

{# From the table itself, not the CTE above: PostgreSQL then keeps refund_events' real row count
    for the join below (a CTE read twice is planned as 200 rows, and a nested loop took 12 s). #}
refunded_order_lines as (
    select distinct order_line_id
    from {{ ref('int_refund_events_allocated') }}
),

plan_versions as (
    select * from {{ ref('int_plan_versions_dated') }}
),

frozen_order_line_lines as (
    select
        rep_id,
        period_start,
        source_id as order_line_id,
        plan_id,
        plan_version,
        rule,
        basis_amount,
        rate,
        amount_currency
    from closed_lines
    where
        source_type = 'order_line'
        and payout_component not in ('adjustment', 'held', 'released')
        and source_id in (select refunded_order_lines.order_line_id from refunded_order_lines)
),

unfrozen_order_line_lines as (
    select
        revenue_lines.rep_id,
        revenue_lines.period_start,
        revenue_lines.source_id as order_line_id,
        revenue_lines.plan_id,
        revenue_lines.plan_version,
        revenue_lines.rule,
        revenue_lines.basis_amount,
        revenue_lines.rate,
        revenue_lines.amount_currency
    from revenue_lines
    where
        revenue_lines.source_id in (
            select refunded_order_lines.order_line_id from refunded_order_lines
        )
        and not exists (
            select 1
            from frozen_order_line_lines
            where
                frozen_order_line_lines.rep_id = revenue_lines.rep_id
                and frozen_order_line_lines.order_line_id = revenue_lines.source_id
                and frozen_order_line_lines.rule = revenue_lines.rule
        )
),

paid_lines as (
    select * from frozen_order_line_lines
    union all
    select * from unfrozen_order_line_lines
),

clawbacks as (
    select
        paid_lines.rep_id,
        cast(date_trunc('month', refund_events.refund_date) as date) as period_start,
        refund_events.refund_id || '/' || refund_events.order_line_id as source_id,
        refund_events.refund_date as source_date,
        paid_lines.plan_id,
        paid_lines.plan_version,
        'clawback:' || paid_lines.rule as rule,
        {{ money_round(
            'paid_lines.basis_amount * refund_events.refund_amount / refund_events.refunded_of_amount'
        ) }} as basis_amount,
        -paid_lines.rate as rate,
        paid_lines.amount_currency
    from refund_events
    inner join paid_lines
        on refund_events.order_line_id = paid_lines.order_line_id
    inner join plan_versions
        on
            paid_lines.plan_id = plan_versions.plan_id
            and paid_lines.plan_version = plan_versions.plan_version
    where refund_events.days_after_order <= plan_versions.clawback_window_days
),

final as (
    select
        rep_id,
        period_start,
        'refund' as source_type,
        source_id,
        source_date,
        plan_id,
        plan_version,
        rule,
        'clawback' as payout_component,
        basis_amount,
        cast(rate as numeric(12, 6)) as rate,
        {{ money_round('basis_amount * rate') }} as amount,
        amount_currency
    from clawbacks
    where basis_amount > 0
)

select * from final
