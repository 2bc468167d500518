with

targets as (
    select * from {{ ref('stg_finance__targets') }}
),

monthly_targets as (
    select * from {{ ref('int_targets_decomposed') }}
),

actuals as (
    select * from {{ ref('int_performance_monthly_scoped') }}
),

rep_months as (
    select * from {{ ref('int_rep_months_assigned') }}
),

teams as (
    select * from {{ ref('int_teams_staffed') }}
),

scope_names as (
    select * from {{ ref('int_scopes_listed') }}
),

calendar as (
    select * from {{ ref('int_dates_described') }}
),

data_date as (
    select * from {{ ref('int_data_date') }}
),

reps as (
    select * from {{ ref('int_reps_dated') }}
),

{# A scope's given targets per month; source_period_rank says the longest period they came from. #}
given_monthly as (
    select
        scope_type,
        scope_id,
        metric,
        month_start,
        sum(target_amount) as target_amount,
        max(
            case source_period_type when 'year' then 3 when 'quarter' then 2 else 1 end
        ) as source_period_rank
    from monthly_targets
    group by scope_type, scope_id, metric, month_start
),

employment as (
    select
        rep_id,
        min(hire_date) as hire_date,
        max(leave_date) as leave_date
    from reps
    group by rep_id
),

{# The first day of a rep's targeted months, the first day after, and the employment span. #}
rep_month_bounds as (
    select distinct
        given_monthly.scope_id as rep_id,
        given_monthly.month_start,
        {{ add_months('given_monthly.month_start', 1) }} as next_month_start,
        greatest(
            given_monthly.month_start, coalesce(employment.hire_date, given_monthly.month_start)
        ) as first_employed_date,
        employment.leave_date
    from given_monthly
    inner join employment
        on given_monthly.scope_id = employment.rep_id
    where given_monthly.scope_type = 'rep'
),

{# Days of the month a rep was employed: hire_date is the first day, leave_date the first gone. #}
rep_months_employed as (
    select
        rep_id,
        month_start,
        {{ day_diff('month_start', 'next_month_start') }} as month_days,
        {{ day_diff(
            'first_employed_date',
            'least(next_month_start, coalesce(leave_date, next_month_start))'
        ) }} as employed_days
    from rep_month_bounds
),

{#
    A rep's effective target: a month the rep joined or left in is prorated by days employed /
    days in month, rounded to the cent, as the commission engine uses it (one target for both).
    Months the rep was not employed at all keep the target as given.
#}
own_monthly as (
    select
        given_monthly.scope_type,
        given_monthly.scope_id,
        given_monthly.metric,
        given_monthly.month_start,
        case
            when rep_months_employed.employed_days between 1 and rep_months_employed.month_days - 1
                then {{ money_round(
                    'given_monthly.target_amount * rep_months_employed.employed_days'
                    ' / rep_months_employed.month_days'
                ) }}
            else given_monthly.target_amount
        end as target_amount,
        given_monthly.source_period_rank
    from given_monthly
    left join rep_months_employed
        on
            given_monthly.scope_type = 'rep'
            and given_monthly.scope_id = rep_months_employed.rep_id
            and given_monthly.month_start = rep_months_employed.month_start
),

{# Rep targets add up to the team the rep is credited to for that month. #}
team_rolled_up as (
    select
        rep_months.team_id as scope_id,
        own_monthly.metric,
        own_monthly.month_start,
        sum(own_monthly.target_amount) as rolled_up_amount
    from own_monthly
    inner join rep_months
        on
            own_monthly.scope_id = rep_months.rep_id
            and own_monthly.month_start = rep_months.month_start
    where own_monthly.scope_type = 'rep' and rep_months.team_id is not null
    group by rep_months.team_id, own_monthly.metric, own_monthly.month_start
),

team_monthly as (
    {{ own_and_rolled_up_targets('team', 'own_monthly', 'team_rolled_up') }}
),

{# A team's effective target (its own, else its reps') adds up to its region. #}
region_rolled_up as (
    select
        teams.region_id as scope_id,
        team_monthly.metric,
        team_monthly.month_start,
        sum(coalesce(team_monthly.own_target_amount, team_monthly.rolled_up_target_amount))
            as rolled_up_amount
    from team_monthly
    inner join teams
        on team_monthly.scope_id = teams.team_id
    where teams.region_id is not null
    group by teams.region_id, team_monthly.metric, team_monthly.month_start
),

region_monthly as (
    {{ own_and_rolled_up_targets('region', 'own_monthly', 'region_rolled_up') }}
),

{# A region's effective target adds up to the company. #}
company_rolled_up as (
    select
        'company' as scope_id,
        metric,
        month_start,
        sum(coalesce(own_target_amount, rolled_up_target_amount)) as rolled_up_amount
    from region_monthly
    group by metric, month_start
),

company_monthly as (
    {{ own_and_rolled_up_targets('company', 'own_monthly', 'company_rolled_up') }}
),

all_monthly as (
    select
        scope_type,
        scope_id,
        metric,
        month_start,
        target_amount as own_target_amount,
        source_period_rank,
        cast(null as numeric(18, 2)) as rolled_up_target_amount
    from own_monthly
    where scope_type = 'rep'
    union all
    select * from team_monthly
    union all
    select * from region_monthly
    union all
    select * from company_monthly
),

{# Each month's targets count toward its month, fiscal quarter and fiscal year. #}
period_parts as (
    {{ expand_months_to_periods('all_monthly', 'calendar') }}
),

period_targets as (
    select
        scope_type,
        scope_id,
        metric,
        period_type,
        period_start,
        max(period_rank) as period_rank,
        sum(own_target_amount) as own_target_amount,
        sum(rolled_up_target_amount) as rolled_up_target_amount,
        max(source_period_rank) as source_period_rank
    from period_parts
    group by scope_type, scope_id, metric, period_type, period_start
),

actual_parts as (
    {{ expand_months_to_periods('actuals', 'calendar') }}
),

period_actuals as (
    select
        scope_type,
        scope_id,
        metric,
        period_type,
        period_start,
        sum(actual_amount) as actual_amount
    from actual_parts
    group by scope_type, scope_id, metric, period_type, period_start
),

measured as (
    select
        period_targets.*,
        coalesce(period_targets.own_target_amount, period_targets.rolled_up_target_amount)
            as target_amount,
        coalesce(period_actuals.actual_amount, 0) as actual_amount,
        exists(
            select 1
            from targets
            where
                targets.scope_type = period_targets.scope_type
                and targets.scope_id = period_targets.scope_id
                and targets.metric = period_targets.metric
                and targets.period_type = period_targets.period_type
                and targets.period_start = period_targets.period_start
        ) as is_given,
        {{ add_months(
            'period_targets.period_start',
            "case period_targets.period_type when 'month' then 1 when 'quarter' then 3 else 12 end"
        ) }} as period_end,
        data_date.data_date
    from period_targets
    cross join data_date
    left join period_actuals
        on
            period_targets.scope_type = period_actuals.scope_type
            and period_targets.scope_id = period_actuals.scope_id
            and period_targets.metric = period_actuals.metric
            and period_targets.period_type = period_actuals.period_type
            and period_targets.period_start = period_actuals.period_start
),

{# Days of the period gone by the data date, counting the data date itself. #}
elapsed as (
    select
        measured.*,
        {{ day_diff('period_start', 'period_end') }} as period_days,
        least(
            greatest({{ day_diff('period_start', 'data_date') }} + 1, 0),
            {{ day_diff('period_start', 'period_end') }}
        ) as elapsed_days
    from measured
),

final as (
    select
        {{ surrogate_key([
            'elapsed.scope_type',
            'elapsed.scope_id',
            'elapsed.metric',
            'elapsed.period_type',
            'elapsed.period_start',
        ]) }} as target_attainment_id,
        elapsed.scope_type,
        elapsed.scope_id,
        scope_names.scope_name,
        elapsed.metric,
        elapsed.period_type,
        elapsed.period_start,
        {{ add_days('elapsed.period_end', -1) }} as period_end_date,
        case
            when elapsed.is_given then 'given'
            when elapsed.own_target_amount is null then 'rolled_up'
            when elapsed.source_period_rank > elapsed.period_rank then 'decomposed'
            else 'aggregated'
        end as target_origin,
        not elapsed.is_given as is_derived,
        cast(elapsed.target_amount as numeric(18, 2)) as target_amount,
        cast(elapsed.own_target_amount as numeric(18, 2)) as own_target_amount,
        cast(elapsed.rolled_up_target_amount as numeric(18, 2)) as rolled_up_target_amount,
        cast(elapsed.actual_amount as numeric(18, 2)) as actual_amount,
        cast(
            round({{ safe_divide('elapsed.actual_amount', 'elapsed.target_amount') }}, 4)
            as numeric(12, 4)
        ) as attainment_pct,
        cast(
            round(1.0 * elapsed.elapsed_days / elapsed.period_days, 4) as numeric(9, 4)
        ) as elapsed_pct,
        cast(
            round(
                {{ safe_divide(
                    'elapsed.actual_amount * elapsed.period_days',
                    'elapsed.target_amount * elapsed.elapsed_days'
                ) }},
                4
            ) as numeric(12, 4)
        ) as pace_pct,
        cast(
            round(
                {{ safe_divide(
                    'elapsed.actual_amount * elapsed.period_days', 'elapsed.elapsed_days'
                ) }},
                2
            ) as numeric(18, 2)
        ) as projected_amount,
        cast(elapsed.target_amount - elapsed.actual_amount as numeric(18, 2)) as gap_to_target,
        coalesce(
            elapsed.elapsed_days > 0
            and elapsed.target_amount > 0
            and elapsed.actual_amount * elapsed.period_days
            < elapsed.target_amount * elapsed.elapsed_days,
            false
        ) as is_behind_pace,
        case
            when elapsed.elapsed_days = 0 then 'future'
            when elapsed.elapsed_days < elapsed.period_days then 'in_progress'
            else 'closed'
        end as period_status,
        elapsed.data_date
    from elapsed
    left join scope_names
        on
            elapsed.scope_type = scope_names.scope_type
            and elapsed.scope_id = scope_names.scope_id
)

select * from final
