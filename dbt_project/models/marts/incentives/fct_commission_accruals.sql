{#-
    The accrual journal of the open commission months: what is owed but not yet paid, booked as
    an expense at the month's end and reversed on the first day of the next month (after the
    close, the payroll books the real payment).

    Glossary of the rules:
    - amount: the sum of the month's open net payouts (fct_payouts, reporting currency) by the
      team of the rep's month (`int_rep_periods_teamed`, as the month-end's team subtotals and
      approvals) and payout currency (fct_payout_payments); a zero total books nothing.
    - accrual (dated the month's last day): debit `commission_expense`, credit
      `accrued_commissions`. A negative total (clawbacks exceeding earnings) swaps the sides, so
      every amount is positive.
    - reversal (dated the first day of the next month): the same lines with debit and credit
      swapped, so accrual and reversal net to zero for every account.
    - every journal entry (period and entry type) balances: its debits equal its credits.
-#}
with

payments as (
    select * from {{ ref('fct_payout_payments') }}
),

rep_period_teams as (
    select * from {{ ref('int_rep_periods_teamed') }}
),

teams as (
    select * from {{ ref('dim_teams') }}
),

open_payments as (
    select
        payments.period_start,
        payments.payout_currency,
        payments.payment_currency,
        payments.net_payout_amount,
        rep_period_teams.team_id
    from payments
    left join rep_period_teams
        on
            payments.rep_id = rep_period_teams.rep_id
            and payments.period_start = rep_period_teams.period_start
    where payments.status = 'open'
),

team_totals as (
    select
        period_start,
        team_id,
        payment_currency,
        min(payout_currency) as amount_currency,
        sum(net_payout_amount) as accrued_amount
    from open_payments
    group by period_start, team_id, payment_currency
    having sum(net_payout_amount) != 0
),

postings as (
    select
        'accrual' as entry_type,
        'commission_expense' as ledger_account,
        true as is_debit_when_owed
    union all
    select
        'accrual' as entry_type,
        'accrued_commissions' as ledger_account,
        false as is_debit_when_owed
    union all
    select
        'reversal' as entry_type,
        'accrued_commissions' as ledger_account,
        true as is_debit_when_owed
    union all
    select
        'reversal' as entry_type,
        'commission_expense' as ledger_account,
        false as is_debit_when_owed
),

journal_lines as (
    select
        team_totals.period_start,
        postings.entry_type,
        case
            when postings.entry_type = 'accrual'
                then cast({{ dbt.last_day('team_totals.period_start', 'month') }} as date)
            else cast(
                {{ dbt.dateadd('month', 1, 'team_totals.period_start') }} as date
            )
        end as entry_date,
        team_totals.team_id,
        teams.team_name,
        team_totals.payment_currency,
        postings.ledger_account,
        case
            when postings.is_debit_when_owed = (team_totals.accrued_amount > 0)
                then abs(team_totals.accrued_amount)
            else 0
        end as debit_amount,
        case
            when postings.is_debit_when_owed != (team_totals.accrued_amount > 0)
                then abs(team_totals.accrued_amount)
            else 0
        end as credit_amount,
        team_totals.amount_currency
    from team_totals
    cross join postings
    left join teams
        on team_totals.team_id = teams.team_id
),

final as (
    select
        {{ surrogate_key([
            'period_start', 'entry_type', 'team_id', 'payment_currency', 'ledger_account'
        ]) }} as accrual_line_id,
        {{ surrogate_key(['period_start', 'entry_type']) }} as journal_entry_id,
        period_start,
        entry_type,
        entry_date,
        team_id,
        team_name,
        payment_currency,
        ledger_account,
        cast(debit_amount as numeric(18, 2)) as debit_amount,
        cast(credit_amount as numeric(18, 2)) as credit_amount,
        amount_currency
    from journal_lines
)

select * from final
