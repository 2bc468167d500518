{#-
    Each metric per scope (rep, team, region, company) and month. An event counts for the team
    (and that team's region) the rep was assigned to on the event's date, so a rep who changes
    team mid-quarter is credited to each team for their own days. Events of reps without a team on
    that date count for the rep and the company only.
-#}
with

events as (
    select * from {{ ref('int_performance_events_unioned') }}
),

dated_events as (
    select *
    from events
    where event_date is not null
),

credited_teams as (
    {{ assign_teams_on_date('dated_events', ['metric', 'event_id'], 'rep_id', 'event_date') }}
),

attributed as (
    select
        dated_events.metric,
        dated_events.rep_id,
        credited_teams.team_id,
        credited_teams.region_id,
        {{ month_start('dated_events.event_date') }} as month_start,
        dated_events.event_value
    from dated_events
    left join credited_teams
        on
            dated_events.metric = credited_teams.metric
            and dated_events.event_id = credited_teams.event_id
),

final as (
    {{ aggregate_by_scope(
        'attributed',
        ['rep', 'team', 'region', 'company'],
        ['metric', 'month_start'],
        {'actual_amount': 'sum(event_value)'},
    ) }}
)

select * from final
