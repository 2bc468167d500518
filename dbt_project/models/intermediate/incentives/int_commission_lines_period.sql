{#-
    Lines computed on a whole rep-period rather than one transaction:
      cap              when the period's commission on revenue (base rate, tiers, accelerator,
                       decelerator) exceeds the cap, minus the excess (basis = excess, rate = -1);
                       the cap is an amount, or a multiple of the prorated target incentive
      conversion_bonus the plan's bonus when the rep's conversion rate (win rate: deals won /
                       deals closed in the month) beats the average of the rates of their
                       team's reps that month (basis = bonus, rate = 1)
-#}
with

revenue_lines as (
    select * from {{ ref('int_commission_lines_revenue') }}
),

rep_periods as (
    select * from {{ ref('int_rep_periods_planned') }}
),

activity as (
    select * from {{ ref('int_rep_months_measured') }}
),

capped_commission as (
    select
        rep_id,
        period_start,
        sum(amount) as commission_amount
    from revenue_lines
    where rule in ('base_rate', 'accelerator', 'decelerator') or rule like 'tier\_band\_%'
    group by rep_id, period_start
),

cap_lines as (
    select
        rep_periods.rep_id,
        rep_periods.period_start,
        'rep_period' as source_type,
        rep_periods.rep_id || '/' || {{ year_month_text('rep_periods.period_start') }} as source_id,
        rep_periods.plan_id,
        rep_periods.plan_version,
        'cap' as rule,
        'commission' as payout_component,
        capped_commission.commission_amount - rep_periods.cap_limit_amount as basis_amount,
        -1 as rate
    from rep_periods
    inner join capped_commission
        on
            rep_periods.rep_id = capped_commission.rep_id
            and rep_periods.period_start = capped_commission.period_start
    where capped_commission.commission_amount > rep_periods.cap_limit_amount
),

rep_conversion as (
    select
        rep_periods.rep_id,
        rep_periods.period_start,
        rep_periods.team_id,
        rep_periods.plan_id,
        rep_periods.plan_version,
        rep_periods.conversion_bonus_amount,
        activity.win_rate as conversion_rate
    from rep_periods
    inner join activity
        on
            rep_periods.rep_id = activity.rep_id
            and rep_periods.period_start = activity.month_start
    where activity.win_rate is not null
),

team_conversion as (
    select
        team_id,
        period_start,
        avg(conversion_rate) as team_average_conversion_rate
    from rep_conversion
    group by team_id, period_start
),

conversion_bonus_lines as (
    select
        rep_conversion.rep_id,
        rep_conversion.period_start,
        'activity_aggregate' as source_type,
        rep_conversion.rep_id || '/' || {{ year_month_text('rep_conversion.period_start') }}
        || '/conversion' as source_id,
        rep_conversion.plan_id,
        rep_conversion.plan_version,
        'conversion_bonus' as rule,
        'bonus' as payout_component,
        rep_conversion.conversion_bonus_amount as basis_amount,
        1 as rate
    from rep_conversion
    inner join team_conversion
        on
            rep_conversion.team_id = team_conversion.team_id
            and rep_conversion.period_start = team_conversion.period_start
    where
        rep_conversion.conversion_bonus_amount is not null
        and rep_conversion.conversion_rate > team_conversion.team_average_conversion_rate
),

unioned as (
    select * from cap_lines
    union all
    select * from conversion_bonus_lines
),

final as (
    select
        unioned.rep_id,
        unioned.period_start,
        unioned.source_type,
        unioned.source_id,
        {{ month_end('unioned.period_start') }} as source_date,
        unioned.plan_id,
        unioned.plan_version,
        unioned.rule,
        unioned.payout_component,
        cast(unioned.basis_amount as numeric(18, 2)) as basis_amount,
        cast(unioned.rate as numeric(12, 6)) as rate,
        {{ money_round('unioned.basis_amount * unioned.rate') }} as amount,
        '{{ var("reporting_currency") }}' as amount_currency
    from unioned
)

select * from final
