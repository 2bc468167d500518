{#-
    Holds: finance withholds a rep's commission, or only the part on one deal, until it releases
    the hold. A hold counts lines out of the payout with counter-lines, so a payout stays the sum
    of its lines and every withheld cent is visible line by line:
      held:<rule>     for each open period's line the hold covers (the rep's lines; for a deal
                      hold, only those on the deal's order lines and their refunds), in the same
                      period: basis = the line's amount, rate = -1 (the earliest hold when two
                      cover a line). Draws and recoveries are computed as if nothing were held:
                      a hold defers payment, it does not change what was earned.
      released:<rule> once the hold is released: nothing for a period still open (its lines are
                      simply no longer held); for a line held in a period that closed while held
                      (the close froze its `held:` line), the held amount paid back in the first
                      open period after it (months close in order: the first open one), with
                      `adjusts_period_start` naming the period it was held in; not while
                      another hold still covers the line (a rep hold beside a released deal
                      hold): it pays back when the last covering hold is released.
    A release is paid once: a `released:` line frozen in a closed period is not made again.
-#}
with

payable_lines as (
    select * from {{ ref('int_commission_lines_payable') }}
),

holds as (
    select * from {{ ref('stg_commission_ops__holds') }}
),

credits as (
    select * from {{ ref('int_order_line_credits_split') }}
),

closed_lines as (
    select * from {{ ref('stg_incentives_closed__commission_lines') }}
),

periods as (
    select * from {{ ref('int_incentive_periods_spanned') }}
),

order_line_deals as (
    select distinct
        order_line_id,
        deal_id
    from credits
    where deal_id is not null
),

payable_line_deals as (
    select
        payable_lines.rep_id,
        payable_lines.period_start,
        payable_lines.source_type,
        payable_lines.source_id,
        payable_lines.rule,
        order_line_deals.deal_id
    from payable_lines
    left join order_line_deals
        on order_line_deals.order_line_id = case payable_lines.source_type
            when 'order_line' then payable_lines.source_id
            when 'refund' then split_part(payable_lines.source_id, '/', 2)
        end
    where payable_lines.amount != 0
),

covering_holds as (
    select
        payable_line_deals.rep_id,
        payable_line_deals.period_start,
        payable_line_deals.source_type,
        payable_line_deals.source_id,
        payable_line_deals.rule,
        min(holds.hold_id) as hold_id
    from payable_line_deals
    inner join holds
        on
            payable_line_deals.rep_id = holds.rep_id
            and (holds.deal_id is null or payable_line_deals.deal_id = holds.deal_id)
    where not holds.is_released
    group by
        payable_line_deals.rep_id,
        payable_line_deals.period_start,
        payable_line_deals.source_type,
        payable_line_deals.source_id,
        payable_line_deals.rule
),

held_lines as (
    select
        payable_lines.rep_id,
        payable_lines.period_start,
        payable_lines.source_type,
        payable_lines.source_id,
        payable_lines.source_date,
        payable_lines.plan_id,
        payable_lines.plan_version,
        'held:' || payable_lines.rule as rule,
        'held' as payout_component,
        payable_lines.amount as basis_amount,
        -1 as rate,
        payable_lines.amount_currency,
        cast(null as date) as adjusts_period_start,
        covering_holds.hold_id
    from payable_lines
    inner join covering_holds
        on
            payable_lines.rep_id = covering_holds.rep_id
            and payable_lines.period_start = covering_holds.period_start
            and payable_lines.source_type = covering_holds.source_type
            and payable_lines.source_id = covering_holds.source_id
            and payable_lines.rule = covering_holds.rule
),

frozen_held_lines as (
    select * from closed_lines
    where payout_component = 'held'
),

landing_periods as (
    -- the first open period after the one a line was held in when it closed
    select
        held_periods.period_start as held_period_start,
        min(periods.period_start) as period_start
    from (select distinct period_start from frozen_held_lines) as held_periods
    inner join periods
        on held_periods.period_start < periods.period_start and not periods.is_closed
    group by held_periods.period_start
),

frozen_held_deals as (
    select
        frozen_held.rep_id,
        frozen_held.period_start,
        frozen_held.source_type,
        frozen_held.source_id,
        frozen_held.rule,
        order_line_deals.deal_id
    from frozen_held_lines as frozen_held
    left join order_line_deals
        on order_line_deals.order_line_id = case frozen_held.source_type
            when 'order_line' then frozen_held.source_id
            when 'refund' then split_part(frozen_held.source_id, '/', 2)
        end
),

still_held as (
    -- frozen held lines another, unreleased hold still covers: not paid back yet
    select distinct
        frozen_held_deals.rep_id,
        frozen_held_deals.period_start,
        frozen_held_deals.source_type,
        frozen_held_deals.source_id,
        frozen_held_deals.rule
    from frozen_held_deals
    inner join holds
        on
            frozen_held_deals.rep_id = holds.rep_id
            and (holds.deal_id is null or frozen_held_deals.deal_id = holds.deal_id)
    where not holds.is_released
),

frozen_releases as (
    select * from closed_lines
    where payout_component = 'released'
),

released_lines as (
    select
        frozen_held.rep_id,
        landing_periods.period_start,
        frozen_held.source_type,
        frozen_held.source_id,
        frozen_held.source_date,
        frozen_held.plan_id,
        frozen_held.plan_version,
        'released:' || substr(frozen_held.rule, length('held:') + 1) as rule,
        'released' as payout_component,
        -frozen_held.amount as basis_amount,
        1 as rate,
        frozen_held.amount_currency,
        frozen_held.period_start as adjusts_period_start,
        frozen_held.hold_id
    from frozen_held_lines as frozen_held
    inner join holds
        on frozen_held.hold_id = holds.hold_id and holds.is_released
    inner join landing_periods
        on frozen_held.period_start = landing_periods.held_period_start
    left join still_held
        on
            frozen_held.rep_id = still_held.rep_id
            and frozen_held.period_start = still_held.period_start
            and frozen_held.source_type = still_held.source_type
            and frozen_held.source_id = still_held.source_id
            and frozen_held.rule = still_held.rule
    where
        still_held.rep_id is null
        and not exists (
            select 1
            from frozen_releases
            where
                frozen_releases.hold_id = frozen_held.hold_id
                and frozen_releases.rep_id = frozen_held.rep_id
                and frozen_releases.source_type = frozen_held.source_type
                and frozen_releases.source_id = frozen_held.source_id
                and frozen_releases.rule
                = 'released:' || substr(frozen_held.rule, length('held:') + 1)
                and frozen_releases.adjusts_period_start = frozen_held.period_start
        )
),

unioned as (
    select * from held_lines
    union all
    select * from released_lines
),

final as (
    select
        rep_id,
        period_start,
        source_type,
        source_id,
        source_date,
        plan_id,
        plan_version,
        rule,
        payout_component,
        cast(basis_amount as numeric(18, 2)) as basis_amount,
        cast(rate as numeric(12, 6)) as rate,
        {{ money_round('basis_amount * rate') }} as amount,
        amount_currency,
        adjusts_period_start,
        cast(null as bigint) as dispute_id,
        cast(null as {{ dbt.type_string() }}) as adjustment_reason,
        cast(null as {{ dbt.type_string() }}) as approved_by,
        cast(null as {{ type_timestamp_tz() }}) as approved_at,
        hold_id
    from unioned
)

select * from final
