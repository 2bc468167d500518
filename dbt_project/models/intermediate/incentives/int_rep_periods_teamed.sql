{#-
    The team a rep's commission period (a calendar month) belongs to, the one rule every team
    figure of the incentives follows: team subtotals and approvals of the month-end
    (`fct_commission_lines.team_id`, `commission_ops`) and the accrual journal.

    Glossary of the rules:
    - the team of the assignment in force on the month's first day; for a rep who joins or first
      gets a team mid-month, the first assignment starting in the month.
    - assignments are read by their validity alone, not by hire and leave dates, so a line of a
      month after the rep left (a clawback) still belongs to the rep's last team and is approved
      with it.
    - a rep with no assignment overlapping the month has no row: their lines carry no team and
      are approved with the company (by finance) only.
-#}
with

reps as (
    select * from {{ ref('int_reps_dated') }}
),

periods as (
    select * from {{ ref('int_incentive_periods_spanned') }}
),

overlapping as (
    select
        reps.rep_id,
        periods.period_start,
        reps.team_id,
        row_number() over (
            partition by reps.rep_id, periods.period_start
            order by reps.valid_from
        ) as assignment_rank
    from periods
    inner join reps
        on
            {{ add_months('periods.period_start', 1) }} > reps.valid_from
            and (reps.valid_to is null or periods.period_start < reps.valid_to)
),

final as (
    select
        rep_id,
        period_start,
        team_id
    from overlapping
    where assignment_rank = 1
)

select * from final
