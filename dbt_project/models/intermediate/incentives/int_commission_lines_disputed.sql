{#-
    Accepted disputes: finance's acceptance of a rep's dispute (a line of their statement, or a
    deal they believe is missing) becomes one `adjustment:dispute` line, traced to the dispute
    (source `dispute`, id the dispute's id) with finance's reason, who accepted it and when:
      basis = the amount finance accepted (rate 1; negative when the rep was overpaid)
      period = the disputed period while it is open, else the first open period after it, as
               a correction to a closed period; `adjusts_period_start` then names the disputed one
    A dispute whose line is frozen in a closed period was paid there, and is never paid again.
    Open and rejected disputes make no line.
-#}
with

disputes as (
    select * from {{ ref('stg_commission_ops__disputes') }}
),

periods as (
    select * from {{ ref('int_incentive_periods_spanned') }}
),

rep_periods as (
    select * from {{ ref('int_rep_periods_planned') }}
),

closed_lines as (
    select * from {{ ref('stg_incentives_closed__commission_lines') }}
),

accepted as (
    select disputes.*
    from disputes
    where
        disputes.status = 'accepted'
        and not exists (
            select 1
            from closed_lines
            where closed_lines.dispute_id = disputes.dispute_id
        )
),

landing_periods as (
    select
        accepted.dispute_id,
        min(periods.period_start) as period_start
    from accepted
    inner join periods
        on accepted.period_start <= periods.period_start and not periods.is_closed
    group by accepted.dispute_id
),

final as (
    select
        accepted.rep_id,
        landing_periods.period_start,
        'dispute' as source_type,
        cast(accepted.dispute_id as {{ dbt.type_string() }}) as source_id,
        cast(accepted.resolved_at as date) as source_date,
        rep_periods.plan_id,
        rep_periods.plan_version,
        'adjustment:dispute' as rule,
        'adjustment' as payout_component,
        cast(accepted.adjustment_amount as numeric(18, 2)) as basis_amount,
        cast(1 as numeric(12, 6)) as rate,
        {{ money_round('accepted.adjustment_amount') }} as amount,
        '{{ var("reporting_currency") }}' as amount_currency,
        case
            when landing_periods.period_start != accepted.period_start then accepted.period_start
        end as adjusts_period_start,
        accepted.dispute_id,
        accepted.resolution_reason as adjustment_reason,
        accepted.resolved_by as approved_by,
        accepted.resolved_at as approved_at
    from accepted
    inner join landing_periods
        on accepted.dispute_id = landing_periods.dispute_id
    left join rep_periods
        on
            accepted.rep_id = rep_periods.rep_id
            and landing_periods.period_start = rep_periods.period_start
)

select * from final
