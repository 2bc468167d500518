{#-
    What each rep is paid for a period in the currency they are paid in: the payout of
    fct_payouts (reporting currency) converted to the rep's payout currency.

    Glossary of the rules:
    - payout currency: the plan version's `payout_currency` (plan_schema.py), else the reporting
      currency; a rep-period without a plan is paid in the reporting currency.
    - FX rule: the rate of the period's last day (`int_fx_rates_filled`: a day without a
      published rate takes the latest earlier one); while the month is still running, the latest
      rate published so far. The reporting currency converts at exactly 1.
    - rounding: once per rep-period, on the total (not per line): net payout / rate, rounded
      half away from zero to the cent (macro `money_round`), so the payroll pays exactly the
      converted total and the statement shows the same figure.
    - closed months are read back as frozen by the close (store table `payout_payments`): the
      rate, its date and the amount paid never change after the close, whatever FX history is
      loaded later. A month closed before payments were frozen (a store created by an earlier
      version) is converted as an open one until the next close freezes it too.
-#}
with

payouts as (
    select * from {{ ref('fct_payouts') }}
),

rep_periods as (
    select * from {{ ref('int_rep_periods_planned') }}
),

fx_rates as (
    select * from {{ ref('int_fx_rates_filled') }}
),

closed_payments as (
    select * from {{ ref('stg_incentives_closed__payout_payments') }}
),

payouts_with_currency as (
    select
        payouts.payout_id,
        payouts.rep_id,
        payouts.period_start,
        cast({{ dbt.last_day('payouts.period_start', 'month') }} as date) as period_end,
        payouts.status,
        payouts.net_payout_amount,
        payouts.payout_currency,
        coalesce(rep_periods.payment_currency, payouts.payout_currency) as payment_currency
    from payouts
    left join rep_periods
        on
            payouts.rep_id = rep_periods.rep_id
            and payouts.period_start = rep_periods.period_start
),

last_rate_dates as (
    select
        currency,
        max(rate_date) as last_rate_date
    from fx_rates
    group by currency
),

converted as (
    select
        payouts_with_currency.*,
        fx_rates.rate_date as payment_fx_rate_date,
        fx_rates.fx_rate as payment_fx_rate,
        {{ money_round('payouts_with_currency.net_payout_amount / fx_rates.fx_rate') }}
            as payment_amount
    from payouts_with_currency
    left join last_rate_dates
        on payouts_with_currency.payment_currency = last_rate_dates.currency
    left join fx_rates
        on
            payouts_with_currency.payment_currency = fx_rates.currency
            and least(payouts_with_currency.period_end, last_rate_dates.last_rate_date)
            = fx_rates.rate_date
),

computed as (
    select
        payout_id,
        rep_id,
        period_start,
        status,
        net_payout_amount,
        payout_currency,
        payment_currency,
        payment_fx_rate,
        payment_fx_rate_date,
        payment_amount
    from converted
),

open_payments as (
    select computed.*
    from computed
    left join closed_payments
        on
            computed.rep_id = closed_payments.rep_id
            and computed.period_start = closed_payments.period_start
    where closed_payments.rep_id is null
),

frozen_payments as (
    select
        {{ surrogate_key(['rep_id', 'period_start']) }} as payout_id,
        rep_id,
        period_start,
        'closed' as status,
        net_payout_amount,
        payout_currency,
        payment_currency,
        payment_fx_rate,
        payment_fx_rate_date,
        payment_amount
    from closed_payments
),

unioned as (
    select * from frozen_payments
    union all
    select * from open_payments
),

final as (
    select
        payout_id,
        rep_id,
        period_start,
        status,
        net_payout_amount,
        payout_currency,
        payment_currency,
        cast(payment_fx_rate as numeric(18, 8)) as payment_fx_rate,
        payment_fx_rate_date,
        cast(payment_amount as numeric(18, 2)) as payment_amount
    from unioned
)

select * from final
