-- net_payout_amount is exactly the sum of the rep-period's lines, and of its eight components
-- (held lines count out through their `held` counter-lines, released ones back in).
with

lines as (
    select * from {{ ref('fct_commission_lines') }}
),

payouts as (
    select * from {{ ref('fct_payouts') }}
),

line_totals as (
    select
        rep_id,
        period_start,
        sum(amount) as line_amount,
        count(*) as line_count
    from lines
    group by rep_id, period_start
),

final as (
    select
        payouts.rep_id,
        payouts.period_start,
        payouts.net_payout_amount,
        line_totals.line_amount
    from payouts
    full outer join line_totals
        on
            payouts.rep_id = line_totals.rep_id
            and payouts.period_start = line_totals.period_start
    where
        payouts.rep_id is null
        or payouts.net_payout_amount != coalesce(line_totals.line_amount, 0)
        or payouts.line_count != coalesce(line_totals.line_count, 0)
        or payouts.net_payout_amount != payouts.gross_commission_amount + payouts.bonus_amount
        + payouts.clawback_amount + payouts.draw_amount + payouts.recovery_amount
        + payouts.adjustment_amount + payouts.held_amount + payouts.released_amount
)

select * from final
