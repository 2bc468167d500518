{#-
    Recoverable draws and their recoveries for open periods (closed ones are frozen). A period's
    earnings are all its other open lines, adjustments and accepted disputes included (not
    holds: a hold defers payment, int_commission_lines_held). The carry-forward is sequential
    (each period needs the balance the previous one left), so `carried` is a recursive CTE over
    consecutive `period_number`s (1, 2, 3... per rep), from a period 0 owing nothing:
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
-#}
with recursive

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

carried as (
    -- Period 0 of every rep: nothing drawn, nothing outstanding; each step then adds a period.
    select
        rep_id,
        cast(0 as bigint) as period_number,
        cast(0 as numeric) as draw_amount,
        cast(0 as numeric) as recovery_amount,
        cast(0 as numeric) as balance_after_amount
    from period_amounts
    where period_number = 1
    union all
    -- What is left after an open period: its draw plus whatever its earnings did not repay
    -- (the balance less the recovery, min(balance, recoverable), is max(balance - recoverable, 0)).
    select
        next_period.rep_id,
        next_period.period_number,
        cast(next_period.draw_amount as numeric) as draw_amount,
        cast(
            case
                when next_period.is_closed then next_period.closed_recovery_amount
                else least(carried.balance_after_amount, next_period.recoverable_amount)
            end
            as numeric
        ) as recovery_amount,
        cast(
            case
                when next_period.is_closed
                    then
                        carried.balance_after_amount
                        + next_period.draw_amount
                        - next_period.closed_recovery_amount
                else
                    next_period.draw_amount
                    + greatest(carried.balance_after_amount - next_period.recoverable_amount, 0)
            end
            as numeric
        ) as balance_after_amount
    from carried
    inner join period_amounts as next_period
        on
            carried.rep_id = next_period.rep_id
            and carried.period_number + 1 = next_period.period_number
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
        rep_id || '/' || to_char(period_start, 'YYYY-MM') as source_id,
        cast(period_start + interval '1 month - 1 day' as date) as source_date,
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
