{#-
    Corrections to closed periods: a closed period is never rewritten. For each of its lines
    (rep, source, rule) the amount due now is compared with what was paid: the frozen line plus
    any adjustment already frozen for it in a later closed period. A difference becomes an
    `adjustment:<rule>` line in the first open period after the closed one (basis = difference,
    rate = 1), tracing back to the same source and naming the period it corrects.

    Only the closed months whose due and paid amounts differ are compared line by line. Each
    closed month's due lines and paid lines are digested (`amounts_digest`: per key, linear in the
    amounts, so a frozen line plus its later adjustments digests as their total); a month whose
    two digests are equal owes no adjustment and skips the line-by-line comparison (a full outer
    join of millions of closed lines, nearly all equal: 15 s at bench scale L, 5 s with the
    digests). A month with any difference is compared in full, so the lines are the same as
    comparing every month (when every closed month differs, 21 s at L: the digests are extra).
-#}
{%- set line_key = ['rep_id', 'source_type', 'source_id', 'rule'] %}

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

{# Read twice (digests, comparison): planned into each, not stored (macro cte_inlined). #}
due as {{ cte_inlined() }} (
    select computed_lines.*
    from computed_lines
    inner join periods
        on computed_lines.period_start = periods.period_start
    where periods.is_closed
),

{#
    What was paid for a rule: the frozen line, not draws, recoveries, holds and releases (which
    withhold and pay back lines), plus any adjustment frozen for it later (counted in the period
    it adjusts, under the rule it adjusts), except accepted disputes (paid once,
    int_commission_lines_disputed). One pass over the closed store; read twice, not stored.
#}
paid_lines as {{ cte_inlined() }} (
    select
        rep_id,
        case
            when payout_component = 'adjustment' then adjusts_period_start else period_start
        end as adjusted_period_start,
        source_type,
        source_id,
        case
            when payout_component = 'adjustment' then substr(rule, length('adjustment:') + 1)
            else rule
        end as rule,
        plan_id,
        plan_version,
        amount_currency,
        amount
    from closed_lines
    where
        payout_component not in ('draw', 'recovery', 'held', 'released')
        and (payout_component != 'adjustment' or dispute_id is null)
),

due_digests as (
    select
        period_start as adjusted_period_start,
        {{ amounts_digest(key_text(line_key), 'amount') }} as amounts_digest
    from due
    group by period_start
),

paid_digests as (
    select
        adjusted_period_start,
        {{ amounts_digest(key_text(line_key), 'amount') }} as amounts_digest
    from paid_lines
    group by adjusted_period_start
),

{# The closed months whose due and paid amounts differ for some line (or only one side has). #}
differing_months as (
    select
        coalesce(due_digests.adjusted_period_start, paid_digests.adjusted_period_start)
            as adjusted_period_start
    from due_digests
    full outer join paid_digests
        on due_digests.adjusted_period_start = paid_digests.adjusted_period_start
    where
        coalesce(due_digests.amounts_digest, '') != coalesce(paid_digests.amounts_digest, '')
),

due_differing as (
    select due.*
    from due
    inner join differing_months
        on due.period_start = differing_months.adjusted_period_start
),

paid as (
    select
        paid_lines.rep_id,
        paid_lines.adjusted_period_start,
        paid_lines.source_type,
        paid_lines.source_id,
        paid_lines.rule,
        min(paid_lines.plan_id) as plan_id,
        min(paid_lines.plan_version) as plan_version,
        min(paid_lines.amount_currency) as amount_currency,
        sum(paid_lines.amount) as paid_amount
    from paid_lines
    inner join differing_months
        on paid_lines.adjusted_period_start = differing_months.adjusted_period_start
    group by
        paid_lines.rep_id,
        paid_lines.adjusted_period_start,
        paid_lines.source_type,
        paid_lines.source_id,
        paid_lines.rule
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
    from due_differing as due
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
