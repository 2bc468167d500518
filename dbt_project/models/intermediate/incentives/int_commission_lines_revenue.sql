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

    Incremental by period (delete+insert on `period_start`) on PostgreSQL. A period's lines read
    only that month's credits and rep-periods (its managers' included) and the plan tables, so
    each month's inputs are hashed (`inputs_digest`; macros/utils/months_rewritten.sql): the
    month's credits, its rep-periods (target, manager and every option of the plan version) and
    the whole plan tables (product line rates, tier bands, SPIFs: an edit rewrites every month).
    A run computes again only the months whose hash differs from the built one, which a day's
    data keeps to the open months and the closed months a late or corrected order line reached;
    a closed month computed again is what `int_commission_lines_adjusted` compares with what was
    paid. A month whose credits give no line (say, orders from before any plan) keeps one marker
    row of its month and hash only, so it is not computed again while its inputs stay the same;
    every reader skips it (`source_type is null`). A month left with no credits is deleted by a
    marker row with a null hash, removed by the post-hook with any row built before digests were
    kept. A unique index keys the lines (period, rep, order line, rule; nulls equal, so a month
    has one marker row at most): a run's new months are checked as they are written, not by a
    scan of every month after the build (macros/cross_db/postgres_only.sql, unique_key_index()).
-#}
{{
    config(
        materialized=incremental_materialization(),
        unique_key='period_start',
        incremental_strategy='delete+insert',
        on_schema_change='sync_all_columns',
        post_hook=[
            "{% if is_incremental() %}delete from {{ this }} where inputs_digest is null{% endif %}",
            "{{ unique_key_index(this, ['period_start', 'rep_id', 'source_id', 'rule']) }}",
        ],
        indexes=[
            {'columns': ['period_start']},
        ],
    )
}}
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

dated_credits as (
    select
        credits.order_line_id,
        credits.order_date,
        credits.product_line,
        credits.rep_id,
        credits.credit_share,
        credits.credited_amount,
        credits.credited_currency,
        {{ month_start('credits.order_date') }} as period_start
    from credits
),

{# The plan tables as one hash: an edit to any rule rewrites every month. #}
plan_digest as (
    select
        {{ rows_digest('plan_row_text') }} as plan_digest
    from (
        select
            {{ key_text(["'rate'", 'plan_id', 'plan_version', 'product_line', 'rate']) }}
                as plan_row_text
        from product_line_rates
        union all
        select
            {{ key_text([
                "'band'", 'plan_id', 'plan_version', 'band_number', 'from_attainment', 'rate',
            ]) }}
        from tier_bands
        union all
        select
            {{ key_text([
                "'spif'", 'plan_id', 'plan_version', 'spif_id', 'product_line', 'starts_on',
                'ends_on', 'amount_per_order_line',
            ]) }}
        from spifs
    ) as plan_rows
),

{# Each month's inputs, one row of text per credit and per rep-period of a month with credits. #}
month_inputs as (
    select
        period_start,
        'credit' as input_kind,
        {{ key_text([
            'order_line_id', 'order_date', 'product_line', 'rep_id', 'credit_share',
            'credited_amount', 'credited_currency',
        ]) }} as input_text
    from dated_credits
    union all
    select
        period_start,
        'rep_period' as input_kind,
        {#- every option of the plan version (plan_option_names), so a new option is hashed too #}
        {{ key_text(
            ['rep_id', 'plan_id', 'plan_version', 'prorated_target_amount', 'manager_rep_id']
            + plan_option_names()
        ) }} as input_text
    from rep_periods
    where period_start in (select dated_credits.period_start from dated_credits)
),

digested_inputs as (
    select
        month_inputs.*,
        plan_digest.plan_digest
    from month_inputs
    cross join plan_digest
),

input_digests as (
    {{ month_digests(
        'digested_inputs',
        'period_start',
        ['input_kind', 'input_text', 'plan_digest'],
    ) }}
),

written_months as (
    {{ months_rewritten('input_digests', 'period_start') }}
),

credits_in_periods as (
    select
        dated_credits.order_line_id,
        dated_credits.order_date,
        dated_credits.product_line,
        dated_credits.rep_id,
        dated_credits.credit_share,
        dated_credits.credited_amount,
        dated_credits.credited_currency,
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
    from dated_credits
    inner join written_months
        on dated_credits.period_start = written_months.period_start
    inner join rep_periods
        on
            dated_credits.rep_id = rep_periods.rep_id
            and dated_credits.period_start = rep_periods.period_start
    left join product_line_rates
        on
            rep_periods.plan_id = product_line_rates.plan_id
            and rep_periods.plan_version = product_line_rates.plan_version
            and dated_credits.product_line = product_line_rates.product_line
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

lines as (
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
),

{# A month with no line gets one marker row (its month and hash, the rest null): with a hash it
    keeps the month's hash; without one (no credits left) it deletes the month's rows, then
    itself. #}
final as (
    select
        lines.rep_id,
        written_months.period_start,
        lines.source_type,
        lines.source_id,
        lines.source_date,
        lines.plan_id,
        lines.plan_version,
        lines.rule,
        lines.payout_component,
        lines.basis_amount,
        lines.rate,
        lines.amount,
        lines.amount_currency,
        written_months.inputs_digest
    from written_months
    left join lines
        on written_months.period_start = lines.period_start
)

select * from final
