{#-
    Commission earned on credited revenue, one line per credited order line and rule (a marginal
    tier gives one line per band the order line spans). Lines in a rep's period are taken in order
    (order date, then order line id): an order line covers the revenue from the running total
    before it to the running total after it, and the tier bands, the accelerator and the
    decelerator are positions on that axis, measured in money as `attainment x prorated target`
    rounded to the cent. Without a target, all revenue is paid at the first band's rate and no
    accelerator or decelerator applies. Rules:
      base_rate        basis x the product line's rate (else the plan's default rate)
      tier_band_<n>    marginal: the slice inside band n at its rate; retroactive: the whole line
                       at the rate of the band the period's total reached
      accelerator      the slice above the threshold x base rate x (multiplier - 1)
      decelerator      when the period's total is below the threshold: basis x base rate x
                       (multiplier - 1), a negative line
      spif:<id>        the SPIF amount x the rep's credit share, for its product line and dates
      manager_override the team's credited revenue x the manager's override rate
    Every amount is `money_round(basis x rate)`.
-#}
{%- set line_keys = 'rep_id, period_start, order_line_id, order_date, plan_id, plan_version' %}

with

credits as (
    select * from {{ ref('int_order_line_credits_split') }}
),

rep_periods as (
    select * from {{ ref('int_rep_periods_planned') }}
),

product_line_rates as (
    select * from {{ ref('stg_plans__plan_product_line_rates') }}
),

tier_bands as (
    select * from {{ ref('stg_plans__plan_tier_bands') }}
),

spifs as (
    select * from {{ ref('stg_plans__plan_spifs') }}
),

credits_in_periods as (
    select
        credits.*,
        rep_periods.period_start,
        rep_periods.plan_id,
        rep_periods.plan_version,
        rep_periods.prorated_target_amount as target_amount,
        rep_periods.tier_mode,
        rep_periods.accelerator_above_attainment,
        rep_periods.accelerator_multiplier,
        rep_periods.decelerator_below_attainment,
        rep_periods.decelerator_multiplier,
        rep_periods.manager_rep_id,
        coalesce(product_line_rates.rate, rep_periods.default_rate) as base_rate
    from credits
    inner join rep_periods
        on
            credits.rep_id = rep_periods.rep_id
            and cast(date_trunc('month', credits.order_date) as date) = rep_periods.period_start
    left join product_line_rates
        on
            rep_periods.plan_id = product_line_rates.plan_id
            and rep_periods.plan_version = product_line_rates.plan_version
            and credits.product_line = product_line_rates.product_line
),

positioned as (
    select
        credits_in_periods.*,
        sum(credits_in_periods.credited_amount) over (
            partition by credits_in_periods.rep_id, credits_in_periods.period_start
            order by credits_in_periods.order_date, credits_in_periods.order_line_id
            rows between unbounded preceding and current row
        ) as running_end_amount,
        sum(credits_in_periods.credited_amount) over (
            partition by credits_in_periods.rep_id, credits_in_periods.period_start
        ) as period_amount
    from credits_in_periods
    where credits_in_periods.plan_id is not null
),

bounded as (
    select
        positioned.*,
        positioned.running_end_amount - positioned.credited_amount as running_start_amount
    from positioned
),

base_rate_lines as (
    select
        {{ line_keys }},
        'base_rate' as rule,
        'commission' as payout_component,
        credited_amount as basis_amount,
        base_rate as rate,
        credited_currency
    from bounded
    where base_rate is not null
),

band_edges as (
    select
        tier_bands.*,
        lead(tier_bands.from_attainment) over (
            partition by tier_bands.plan_id, tier_bands.plan_version
            order by tier_bands.band_number
        ) as to_attainment
    from tier_bands
),

band_positions as (
    select
        bounded.*,
        band_edges.band_number,
        band_edges.rate as band_rate,
        case
            when bounded.target_amount is not null
                then {{ money_round('band_edges.from_attainment * bounded.target_amount') }}
            when band_edges.band_number = 1 then 0
        end as band_lower_amount,
        case
            when bounded.target_amount is not null
                then {{ money_round('band_edges.to_attainment * bounded.target_amount') }}
        end as band_upper_amount
    from bounded
    inner join band_edges
        on
            bounded.plan_id = band_edges.plan_id
            and bounded.plan_version = band_edges.plan_version
),

marginal_tier_lines as (
    select
        {{ line_keys }},
        'tier_band_' || band_number as rule,
        'commission' as payout_component,
        least(running_end_amount, coalesce(band_upper_amount, running_end_amount))
        - greatest(running_start_amount, band_lower_amount) as basis_amount,
        band_rate as rate,
        credited_currency
    from band_positions
    where tier_mode = 'marginal' and band_lower_amount is not null
),

retroactive_tier_lines as (
    select
        {{ line_keys }},
        'tier_band_' || band_number as rule,
        'commission' as payout_component,
        credited_amount as basis_amount,
        band_rate as rate,
        credited_currency
    from band_positions
    where
        tier_mode = 'retroactive'
        and period_amount >= band_lower_amount
        and (band_upper_amount is null or period_amount < band_upper_amount)
),

accelerator_lines as (
    select
        {{ line_keys }},
        'accelerator' as rule,
        'commission' as payout_component,
        running_end_amount - greatest(
            running_start_amount,
            {{ money_round('accelerator_above_attainment * target_amount') }}
        ) as basis_amount,
        base_rate * (accelerator_multiplier - 1) as rate,
        credited_currency
    from bounded
    where accelerator_multiplier is not null and target_amount is not null
),

decelerator_lines as (
    select
        {{ line_keys }},
        'decelerator' as rule,
        'commission' as payout_component,
        credited_amount as basis_amount,
        base_rate * (decelerator_multiplier - 1) as rate,
        credited_currency
    from bounded
    where
        decelerator_multiplier is not null
        and target_amount is not null
        and period_amount < {{ money_round('decelerator_below_attainment * target_amount') }}
),

spif_lines as (
    select
        bounded.rep_id,
        bounded.period_start,
        bounded.order_line_id,
        bounded.order_date,
        bounded.plan_id,
        bounded.plan_version,
        'spif:' || spifs.spif_id as rule,
        'bonus' as payout_component,
        spifs.amount_per_order_line as basis_amount,
        bounded.credit_share as rate,
        bounded.credited_currency
    from bounded
    inner join spifs
        on
            bounded.plan_id = spifs.plan_id
            and bounded.plan_version = spifs.plan_version
            and bounded.product_line = spifs.product_line
            and bounded.order_date between spifs.starts_on and spifs.ends_on
),

team_credits as (
    select
        credits_in_periods.manager_rep_id as rep_id,
        credits_in_periods.period_start,
        credits_in_periods.order_line_id,
        credits_in_periods.order_date,
        credits_in_periods.credited_currency,
        sum(credits_in_periods.credited_amount) as credited_amount
    from credits_in_periods
    where credits_in_periods.manager_rep_id is not null
    group by
        credits_in_periods.manager_rep_id,
        credits_in_periods.period_start,
        credits_in_periods.order_line_id,
        credits_in_periods.order_date,
        credits_in_periods.credited_currency
),

override_lines as (
    select
        team_credits.rep_id,
        team_credits.period_start,
        team_credits.order_line_id,
        team_credits.order_date,
        managers.plan_id,
        managers.plan_version,
        'manager_override' as rule,
        'commission' as payout_component,
        team_credits.credited_amount as basis_amount,
        managers.override_rate as rate,
        team_credits.credited_currency
    from team_credits
    inner join rep_periods as managers
        on
            team_credits.rep_id = managers.rep_id
            and team_credits.period_start = managers.period_start
    where managers.override_rate is not null
),

unioned as (
    select * from base_rate_lines
    union all
    select * from marginal_tier_lines
    union all
    select * from retroactive_tier_lines
    union all
    select * from accelerator_lines
    union all
    select * from decelerator_lines
    union all
    select * from spif_lines
    union all
    select * from override_lines
),

final as (
    select
        rep_id,
        period_start,
        'order_line' as source_type,
        order_line_id as source_id,
        order_date as source_date,
        plan_id,
        plan_version,
        rule,
        payout_component,
        cast(basis_amount as numeric(18, 2)) as basis_amount,
        cast(rate as numeric(12, 6)) as rate,
        {{ money_round('basis_amount * rate') }} as amount,
        credited_currency as amount_currency
    from unioned
    where basis_amount > 0 and rate != 0
)

select * from final
