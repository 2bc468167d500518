-- Every journal entry of the accruals balances (debits = credits), and each account nets to
-- zero over a month's accrual and its reversal.
with

accruals as (
    select * from {{ ref('fct_commission_accruals') }}
),

entries as (
    select
        journal_entry_id,
        'entry' as failed_check,
        sum(debit_amount) as debit_amount,
        sum(credit_amount) as credit_amount
    from accruals
    group by journal_entry_id
),

accounts as (
    select
        {{ surrogate_key(['period_start', 'team_id', 'payment_currency', 'ledger_account']) }}
            as journal_entry_id,
        'account over accrual and reversal' as failed_check,
        sum(debit_amount) as debit_amount,
        sum(credit_amount) as credit_amount
    from accruals
    group by period_start, team_id, payment_currency, ledger_account
),

final as (
    select * from entries
    where debit_amount != credit_amount
    union all
    select * from accounts
    where debit_amount != credit_amount
)

select * from final
