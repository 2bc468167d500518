{#-
    One row per rep and commission period they were employed in, with what the period's
    calculation needs: the team (and its manager) in force on the rep's first active day, the days
    worked (hire and leave dates prorate target incentives and draws, and the revenue target,
    which int_targets_attained prorates alike: a rep hired on the
    16th of a 31-day month has 16/31 of each; `leave_date` is the first day no longer employed),
    and the one plan version that applies: effective on the period's first day, chosen by the
    most specific selector (an explicit rep list beats a team, a team beats a role).
-#}
{#- Multiplied first, then divided: exact until the one rounding to the cent. -#}
{%- set prorated = ' * rep_periods.active_days / rep_periods.period_days' %}
{#- Every option of the plan version is passed on, as the plan schema defines them. -#}
{%- set plan_options = plan_option_names() %}

with

reps as (
    select * from {{ ref('int_reps_dated') }}
),

periods as (
    select * from {{ ref('int_incentive_periods_spanned') }}
),

targets as (
    select * from {{ ref('int_targets_attained') }}
),

plan_versions as (
    select * from {{ ref('int_plan_versions_dated') }}
),

applicability as (
    select * from {{ ref('stg_plans__plan_applicability') }}
),

employment as (
    select
        rep_id,
        min(hire_date) as hire_date,
        max(leave_date) as leave_date
    from reps
    group by rep_id
),

active_periods as (
    select
        employment.rep_id,
        employment.hire_date,
        employment.leave_date,
        periods.period_start,
        periods.period_end,
        periods.period_days,
        periods.is_closed,
        greatest(periods.period_start, employment.hire_date) as first_active_date,
        least(periods.period_end, employment.leave_date - 1) as last_active_date
    from employment
    cross join periods
    where
        (employment.hire_date is null or employment.hire_date <= periods.period_end)
        and (employment.leave_date is null or employment.leave_date > periods.period_start)
),

assignments as (
    select
        active_periods.rep_id,
        active_periods.period_start,
        reps.role,
        reps.team_id,
        reps.manager_rep_id,
        row_number() over (
            partition by active_periods.rep_id, active_periods.period_start
            order by reps.valid_from
        ) as assignment_rank
    from active_periods
    inner join reps
        on
            active_periods.rep_id = reps.rep_id
            and active_periods.last_active_date >= reps.valid_from
            and (reps.valid_to is null or active_periods.first_active_date < reps.valid_to)
),

rep_periods as (
    select
        active_periods.*,
        assignments.role,
        assignments.team_id,
        assignments.manager_rep_id,
        (
            {{ day_diff(
                'active_periods.first_active_date', 'active_periods.last_active_date'
            ) }} + 1
        ) as active_days
    from active_periods
    left join assignments
        on
            active_periods.rep_id = assignments.rep_id
            and active_periods.period_start = assignments.period_start
            and assignments.assignment_rank = 1
),

plan_matches as (
    select
        rep_periods.rep_id,
        rep_periods.period_start,
        plan_versions.plan_id,
        plan_versions.plan_version,
        min(
            case applicability.selector_type
                when 'rep' then 1
                when 'team' then 2
                else 3
            end
        ) as match_priority
    from rep_periods
    inner join plan_versions
        on
            rep_periods.period_start >= plan_versions.effective_from
            and (
                plan_versions.effective_to is null
                or rep_periods.period_start < plan_versions.effective_to
            )
    inner join applicability
        on
            plan_versions.plan_id = applicability.plan_id
            and plan_versions.plan_version = applicability.plan_version
            and (
                (
                    applicability.selector_type = 'rep'
                    and rep_periods.rep_id = applicability.selector_value
                )
                or (
                    applicability.selector_type = 'team'
                    and rep_periods.team_id = applicability.selector_value
                )
                or (
                    applicability.selector_type = 'role'
                    and rep_periods.role = applicability.selector_value
                )
            )
    group by
        rep_periods.rep_id,
        rep_periods.period_start,
        plan_versions.plan_id,
        plan_versions.plan_version
),

ranked_matches as (
    select
        plan_matches.*,
        row_number() over (
            partition by plan_matches.rep_id, plan_matches.period_start
            order by plan_matches.match_priority, plan_matches.plan_id
        ) as match_rank,
        count(*) over (
            partition by plan_matches.rep_id, plan_matches.period_start, plan_matches.match_priority
        ) as competing_plan_count
    from plan_matches
),

monthly_revenue_targets as (
    select
        scope_id as rep_id,
        period_start,
        target_amount
    from targets
    where
        scope_type = 'rep'
        and metric = 'revenue'
        and period_type = 'month'
),

planned as (
    select
        rep_periods.*,
        ranked_matches.plan_id,
        ranked_matches.plan_version,
        coalesce(ranked_matches.competing_plan_count, 0) as competing_plan_count,
        monthly_revenue_targets.target_amount,
        -- the effective target: int_targets_attained prorates it, for the attainment marts too
        monthly_revenue_targets.target_amount as prorated_target_amount,
        {{ money_round('plan_versions.target_incentive_amount' ~ prorated) }}
            as prorated_target_incentive_amount,
        {{ money_round('plan_versions.draw_monthly_amount' ~ prorated) }} as draw_guarantee_amount,
        {% for option in plan_options -%}
        plan_versions.{{ option }},
        {% endfor -%}
        coalesce(
            plan_versions.cap_amount,
            {{ money_round(
                'plan_versions.cap_target_incentive_multiple * '
                ~ money_round('plan_versions.target_incentive_amount' ~ prorated)
            ) }}
        ) as cap_limit_amount
    from rep_periods
    left join ranked_matches
        on
            rep_periods.rep_id = ranked_matches.rep_id
            and rep_periods.period_start = ranked_matches.period_start
            and ranked_matches.match_rank = 1
    left join plan_versions
        on
            ranked_matches.plan_id = plan_versions.plan_id
            and ranked_matches.plan_version = plan_versions.plan_version
    left join monthly_revenue_targets
        on
            rep_periods.rep_id = monthly_revenue_targets.rep_id
            and rep_periods.period_start = monthly_revenue_targets.period_start
),

final as (
    select
        rep_id,
        period_start,
        period_end,
        period_days,
        is_closed,
        role,
        team_id,
        manager_rep_id,
        hire_date,
        leave_date,
        active_days,
        plan_id,
        plan_version,
        competing_plan_count,
        cast(target_amount as numeric(18, 2)) as target_amount,
        cast(nullif(prorated_target_amount, 0) as numeric(18, 2)) as prorated_target_amount,
        prorated_target_incentive_amount,
        draw_guarantee_amount,
        {% for option in plan_options -%}
        {{ option }},
        {% endfor -%}
        cap_limit_amount
    from planned
)

select * from final
