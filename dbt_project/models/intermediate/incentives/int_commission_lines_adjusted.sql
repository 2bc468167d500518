{#-
    Corrections to closed periods: a closed period is never rewritten. For each of its lines
    (rep, source, rule) the amount due now is compared with what was paid: the frozen line plus
    any adjustment already frozen for it in a later closed period. A difference becomes an
    `adjustment:<rule>` line in the first open period after the closed one (basis = difference,
    rate = 1), tracing back to the same source and naming the period it corrects.
-#}
with

computed_lines as (
    select * from {{ ref('int_commission_lines_computed') }}
),

closed_lines as (
    select * from {{ ref('stg_incentives_closed__commission_lines') }}
),

periods as (
    select * from {{ ref('int_incentive_periods_spanned') }}
),

due as (
    select computed_lines.*
    from computed_lines
    inner join periods
        on computed_lines.period_start = periods.period_start
    where periods.is_closed
),

paid_lines as (
    select
        rep_id,
        period_start as adjusted_period_start,
        source_type,
        source_id,
        rule,
        plan_id,
        plan_version,
        amount_currency,
        amount
    from closed_lines
    -- what was paid for a rule: not draws, recoveries, holds and releases (which withhold and
    -- pay back lines), nor accepted disputes (paid once, int_commission_lines_disputed)
    where payout_component not in ('draw', 'recovery', 'adjustment', 'held', 'released')
    union all
    select
        rep_id,
        adjusts_period_start as adjusted_period_start,
        source_type,
        source_id,
        substr(rule, length('adjustment:') + 1) as rule,
        plan_id,
        plan_version,
        amount_currency,
        amount
    from closed_lines
    where payout_component = 'adjustment' and dispute_id is null
),

paid as (
    select
        rep_id,
        adjusted_period_start,
        source_type,
        source_id,
        rule,
        min(plan_id) as plan_id,
        min(plan_version) as plan_version,
        min(amount_currency) as amount_currency,
        sum(amount) as paid_amount
    from paid_lines
    group by rep_id, adjusted_period_start, source_type, source_id, rule
),

differences as (
    select
        coalesce(due.rep_id, paid.rep_id) as rep_id,
        coalesce(due.period_start, paid.adjusted_period_start) as adjusted_period_start,
        coalesce(due.source_type, paid.source_type) as source_type,
        coalesce(due.source_id, paid.source_id) as source_id,
        due.source_date,
        coalesce(due.plan_id, paid.plan_id) as plan_id,
        coalesce(due.plan_version, paid.plan_version) as plan_version,
        coalesce(due.rule, paid.rule) as rule,
        coalesce(due.amount_currency, paid.amount_currency) as amount_currency,
        coalesce(due.amount, 0) - coalesce(paid.paid_amount, 0) as difference_amount
    from due
    full outer join paid
        on
            due.rep_id = paid.rep_id
            and due.period_start = paid.adjusted_period_start
            and due.source_type = paid.source_type
            and due.source_id = paid.source_id
            and due.rule = paid.rule
),

landing_periods as (
    select
        closed.period_start as adjusted_period_start,
        min(later.period_start) as period_start
    from periods as closed
    inner join periods as later
        on closed.period_start < later.period_start and not later.is_closed
    where closed.is_closed
    group by closed.period_start
),

final as (
    select
        differences.rep_id,
        landing_periods.period_start,
        differences.source_type,
        differences.source_id,
        differences.source_date,
        differences.plan_id,
        differences.plan_version,
        'adjustment:' || differences.rule as rule,
        'adjustment' as payout_component,
        cast(differences.difference_amount as numeric(18, 2)) as basis_amount,
        cast(1 as numeric(12, 6)) as rate,
        cast(differences.difference_amount as numeric(18, 2)) as amount,
        differences.amount_currency,
        differences.adjusted_period_start as adjusts_period_start
    from differences
    inner join landing_periods
        on differences.adjusted_period_start = landing_periods.adjusted_period_start
    where differences.difference_amount != 0
)

select * from final
