{#-
    One row per rep and period that has lines or points: the lines summed by payout component,
    and `net_payout_amount`, exactly the sum of the rep-period's line amounts (held lines count
    out through their `held` counter-lines, released ones back in through `released` lines).
    Closed periods are read back as frozen.
-#}
with

lines as (
    select * from {{ ref('fct_commission_lines') }}
),

points as (
    select * from {{ ref('fct_incentive_points') }}
),

rep_periods as (
    select * from {{ ref('int_rep_periods_planned') }}
),

closed_payouts as (
    select * from {{ ref('stg_incentives_closed__payouts') }}
),

closed_periods as (
    select * from {{ ref('stg_incentives_closed__closed_periods') }}
),

open_line_totals as (
    select
        rep_id,
        period_start,
        min(amount_currency) as payout_currency,
        sum(case when payout_component = 'commission' then amount else 0 end)
            as gross_commission_amount,
        sum(case when payout_component = 'bonus' then amount else 0 end) as bonus_amount,
        sum(case when payout_component = 'clawback' then amount else 0 end) as clawback_amount,
        sum(case when payout_component = 'draw' then amount else 0 end) as draw_amount,
        sum(case when payout_component = 'recovery' then amount else 0 end) as recovery_amount,
        sum(case when payout_component = 'adjustment' then amount else 0 end) as adjustment_amount,
        sum(case when payout_component = 'held' then amount else 0 end) as held_amount,
        sum(case when payout_component = 'released' then amount else 0 end) as released_amount,
        sum(amount) as net_payout_amount,
        count(*) as line_count
    from lines
    where not is_closed
    group by rep_id, period_start
),

open_point_totals as (
    select
        rep_id,
        period_start,
        sum(points) as points
    from points
    where not is_closed and points > 0
    group by rep_id, period_start
),

open_payouts as (
    select
        coalesce(open_line_totals.rep_id, open_point_totals.rep_id) as rep_id,
        coalesce(open_line_totals.period_start, open_point_totals.period_start) as period_start,
        rep_periods.plan_id,
        rep_periods.plan_version,
        coalesce(open_line_totals.payout_currency, '{{ var("reporting_currency") }}')
            as payout_currency,
        coalesce(open_line_totals.gross_commission_amount, 0) as gross_commission_amount,
        coalesce(open_line_totals.bonus_amount, 0) as bonus_amount,
        coalesce(open_line_totals.clawback_amount, 0) as clawback_amount,
        coalesce(open_line_totals.draw_amount, 0) as draw_amount,
        coalesce(open_line_totals.recovery_amount, 0) as recovery_amount,
        coalesce(open_line_totals.adjustment_amount, 0) as adjustment_amount,
        coalesce(open_line_totals.held_amount, 0) as held_amount,
        coalesce(open_line_totals.released_amount, 0) as released_amount,
        coalesce(open_line_totals.net_payout_amount, 0) as net_payout_amount,
        coalesce(open_point_totals.points, 0) as points,
        coalesce(open_line_totals.line_count, 0) as line_count
    from open_line_totals
    full outer join open_point_totals
        on
            open_line_totals.rep_id = open_point_totals.rep_id
            and open_line_totals.period_start = open_point_totals.period_start
    left join rep_periods
        on
            coalesce(open_line_totals.rep_id, open_point_totals.rep_id) = rep_periods.rep_id
            and coalesce(open_line_totals.period_start, open_point_totals.period_start)
            = rep_periods.period_start
),

closed_payouts_dated as (
    select
        closed_payouts.*,
        closed_periods.closed_at
    from closed_payouts
    inner join closed_periods
        on closed_payouts.period_start = closed_periods.period_start
),

{%- set payout_key = surrogate_key(['rep_id', 'period_start']) %}

{{ closed_union_open(
    closed_rows='closed_payouts_dated',
    open_rows='open_payouts',
    closed_values={'payout_id': payout_key, 'status': "'closed'"},
    open_values={
        'payout_id': payout_key,
        'status': "'open'",
        'closed_at': 'cast(null as ' ~ type_timestamp_tz() ~ ')',
    },
) }}

select * from final
