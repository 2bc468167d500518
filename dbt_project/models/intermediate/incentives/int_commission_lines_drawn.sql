{#-
    Recoverable draws and their recoveries for open periods (closed ones are frozen). A period's
    earnings are all its other open lines, adjustments and accepted disputes included (not
    holds: a hold defers payment, int_commission_lines_held). The carry-forward runs over each
    rep's periods in order (`period_number` 1, 2, 3...), from a period 0 owing nothing:
      open period:   draw     = guarantee - earned when earned falls short (else 0)
                     recovery = the smaller of the outstanding balance and earned - guarantee
                     (any earnings when the plan no longer guarantees anything)
      closed period: the frozen draw and recovery, so a closed period's balance never moves
    A negative month (its lines add up to less than zero) of a plan without a draw does what the
    plan's `negative_month` says: `carry_forward` (the default) brings it to zero with a
    `negative_carried_forward` line and recovers that from later positive months
    (`negative_recovery`), the carry-forward of a draw of zero; `write_off` brings it to zero
    with a `negative_write_off` line that is never recovered; `pay_negative` leaves it negative.
    Only a plan with a draw makes `draw` lines.

    The balance is a running sum clamped at zero, so it needs no recursion (`carried`): with
    step x = draw - recoverable (open) or frozen draw - frozen recovery (closed) and S(n) the
    running sum of the steps, the balance after period n is S(n) - m(n), where m(n) is the
    lowest of 0 and, for every open period k <= n, S(k - 1) and S(k). (An open period clamps the
    balance it starts from and the one it leaves at zero; a closed one adds its frozen step as
    it is.) The balance an open period starts from is S(n - 1) - m(n - 1).
-#}
with

rep_periods as (
    select * from {{ ref('int_rep_periods_planned') }}
),

computed_lines as (
    select * from {{ ref('int_commission_lines_computed') }}
),

adjustment_lines as (
    select * from {{ ref('int_commission_lines_adjusted') }}
),

disputed_lines as (
    select * from {{ ref('int_commission_lines_disputed') }}
),

closed_lines as (
    select * from {{ ref('stg_incentives_closed__commission_lines') }}
),

open_lines as (
    select
        computed_lines.rep_id,
        computed_lines.period_start,
        computed_lines.amount
    from computed_lines
    inner join rep_periods
        on
            computed_lines.rep_id = rep_periods.rep_id
            and computed_lines.period_start = rep_periods.period_start
    where not rep_periods.is_closed
    union all
    select
        rep_id,
        period_start,
        amount
    from adjustment_lines
    union all
    select
        rep_id,
        period_start,
        amount
    from disputed_lines
),

open_earnings as (
    select
        rep_id,
        period_start,
        sum(amount) as earned_amount
    from open_lines
    group by rep_id, period_start
),

closed_draws as (
    select
        rep_id,
        period_start,
        sum(case when payout_component = 'draw' then amount else 0 end) as draw_amount,
        -sum(case when payout_component = 'recovery' then amount else 0 end) as recovery_amount
    from closed_lines
    group by rep_id, period_start
),

sequenced as (
    select
        rep_periods.rep_id,
        rep_periods.period_start,
        rep_periods.is_closed,
        rep_periods.plan_id,
        rep_periods.plan_version,
        rep_periods.draw_guarantee_amount is not null as has_draw,
        coalesce(rep_periods.negative_month, 'carry_forward') as negative_month,
        -- the floor the carry-forward tops a month up to: the draw, else zero for a negative
        -- month carried forward (null: nothing topped up, later earnings still recover)
        case
            when rep_periods.draw_guarantee_amount is not null
                then rep_periods.draw_guarantee_amount
            when coalesce(rep_periods.negative_month, 'carry_forward') = 'carry_forward' then 0
        end as guarantee_amount,
        coalesce(open_earnings.earned_amount, 0) as earned_amount,
        coalesce(closed_draws.draw_amount, 0) as closed_draw_amount,
        coalesce(closed_draws.recovery_amount, 0) as closed_recovery_amount,
        row_number() over (
            partition by rep_periods.rep_id
            order by rep_periods.period_start
        ) as period_number
    from rep_periods
    left join open_earnings
        on
            rep_periods.rep_id = open_earnings.rep_id
            and rep_periods.period_start = open_earnings.period_start
    left join closed_draws
        on
            rep_periods.rep_id = closed_draws.rep_id
            and rep_periods.period_start = closed_draws.period_start
),

floored as (
    -- a month with no floor is never topped up: its earnings enter the carry-forward only when
    -- positive (to recover an outstanding balance)
    select
        rep_id,
        period_start,
        is_closed,
        plan_id,
        plan_version,
        has_draw,
        negative_month,
        guarantee_amount,
        closed_draw_amount,
        closed_recovery_amount,
        period_number,
        earned_amount as month_earned_amount,
        case
            when guarantee_amount is null then greatest(earned_amount, 0)
            else earned_amount
        end as earned_amount
    from sequenced
),

period_amounts as (
    select
        rep_id,
        period_number,
        is_closed,
        closed_recovery_amount,
        case
            when is_closed then closed_draw_amount
            else greatest(coalesce(guarantee_amount, 0) - earned_amount, 0)
        end as draw_amount,
        greatest(earned_amount - coalesce(guarantee_amount, 0), 0) as recoverable_amount
    from floored
),

stepped as (
    -- what each period adds to the balance: its draw less what it recovers
    select
        rep_id,
        period_number,
        is_closed,
        draw_amount,
        recoverable_amount,
        closed_recovery_amount,
        draw_amount - case
            when is_closed then closed_recovery_amount else recoverable_amount
        end as step_amount
    from period_amounts
),

summed as (
    select
        *,
        sum(step_amount) over (
            partition by rep_id order by period_number
            rows between unbounded preceding and current row
        ) as running_amount
    from stepped
),

clamps as (
    -- an open period's clamp points: the running sum before it and after it
    select
        *,
        case
            when not is_closed then least(running_amount - step_amount, running_amount)
        end as clamp_amount
    from summed
),

floors as (
    select
        *,
        least(0, coalesce(min(clamp_amount) over (
            partition by rep_id order by period_number
            rows between unbounded preceding and current row
        ), 0)) as floor_after_amount,
        least(0, coalesce(min(clamp_amount) over (
            partition by rep_id order by period_number
            rows between unbounded preceding and 1 preceding
        ), 0)) as floor_before_amount
    from clamps
),

carried as (
    select
        rep_id,
        period_number,
        draw_amount,
        case
            when is_closed then closed_recovery_amount
            else
                least(
                    running_amount - step_amount - floor_before_amount,
                    recoverable_amount
                )
        end as recovery_amount,
        running_amount - floor_after_amount as balance_after_amount
    from floors
),

movements as (
    select
        floored.rep_id,
        floored.period_start,
        floored.plan_id,
        floored.plan_version,
        case when floored.has_draw then 'draw' else 'negative_carried_forward' end as rule,
        'draw' as payout_component,
        carried.draw_amount as basis_amount,
        1 as rate
    from carried
    inner join floored
        on
            carried.rep_id = floored.rep_id
            and carried.period_number = floored.period_number
    where not floored.is_closed and carried.draw_amount > 0
    union all
    select
        floored.rep_id,
        floored.period_start,
        floored.plan_id,
        floored.plan_version,
        case
            when floored.has_draw or floored.plan_id is null then 'draw_recovery'
            else 'negative_recovery'
        end as rule,
        'recovery' as payout_component,
        carried.recovery_amount as basis_amount,
        -1 as rate
    from carried
    inner join floored
        on
            carried.rep_id = floored.rep_id
            and carried.period_number = floored.period_number
    where not floored.is_closed and carried.recovery_amount > 0
    union all
    select
        rep_id,
        period_start,
        plan_id,
        plan_version,
        'negative_write_off' as rule,
        'draw' as payout_component,
        -month_earned_amount as basis_amount,
        1 as rate
    from floored
    where
        not is_closed
        and not has_draw
        and negative_month = 'write_off'
        and month_earned_amount < 0
),

final as (
    select
        rep_id,
        period_start,
        'rep_period' as source_type,
        rep_id || '/' || {{ year_month_text('period_start') }} as source_id,
        {{ month_end('period_start') }} as source_date,
        plan_id,
        plan_version,
        rule,
        payout_component,
        cast(basis_amount as numeric(18, 2)) as basis_amount,
        cast(rate as numeric(12, 6)) as rate,
        {{ money_round('basis_amount * rate') }} as amount,
        '{{ var("reporting_currency") }}' as amount_currency
    from movements
)

select * from final
