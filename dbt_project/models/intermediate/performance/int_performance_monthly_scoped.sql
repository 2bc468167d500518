{#-
    Each metric per scope (rep, team, region, company) and month. An event counts for the team
    (and that team's region) the rep was assigned to on the event's date, so a rep who changes
    team mid-quarter is credited to each team for their own days. Events of reps without a team on
    that date count for the rep and the company only.

    Incremental by month (delete+insert on `month_start`) on PostgreSQL: a run rewrites the months
    whose events hash differently from the built ones (macros/utils/months_rewritten.sql). The
    cascade: a month is rewritten when one of its events is new, changed, gone or moved away (an
    order's date moved: the month it left and the one it entered), and every month when the org
    files change (the hash of every month includes the assignments' hash: the credited team of any
    past event may change). The team lookup and the sums run on the rewritten months only.
-#}
{{
    config(
        materialized=incremental_materialization(),
        unique_key='month_start',
        incremental_strategy='delete+insert',
        on_schema_change='sync_all_columns',
        post_hook=["{% if is_incremental() %}delete from {{ this }} where scope_type is null{% endif %}"],
        indexes=[
            {'columns': ['month_start']},
        ],
    )
}}

with

events as (
    select * from {{ ref('int_performance_events_unioned') }}
),

assignments as (
    select * from {{ ref('int_rep_assignments_joined') }}
),

dated_events as (
    select
        *,
        {{ month_start('event_date') }} as month_start
    from events
    where event_date is not null
),

{# The org files as one hash: a change to any assignment rewrites every month. #}
org_digest as (
    select
        {{ dbt.hash(dbt.listagg(
            surrogate_key(['rep_id', 'team_id', 'region_id', 'valid_from', 'valid_to']),
            "''",
            'order by rep_id, valid_from, team_id, region_id, valid_to',
        )) }} as org_digest
    from assignments
),

digested_events as (
    select
        dated_events.metric,
        dated_events.event_id,
        dated_events.rep_id,
        dated_events.event_date,
        dated_events.event_value,
        dated_events.month_start,
        org_digest.org_digest
    from dated_events
    cross join org_digest
),

event_digests as (
    {{ month_digests(
        'digested_events',
        'month_start',
        ['metric', 'event_id', 'rep_id', 'event_date', 'event_value', 'org_digest'],
    ) }}
),

written_months as (
    {{ months_rewritten('event_digests', 'month_start') }}
),

rewritten_events as (
    select *
    from dated_events
    where month_start in (select written_months.month_start from written_months)
),

credited_teams as (
    {{ assign_teams_on_date('rewritten_events', ['metric', 'event_id'], 'rep_id', 'event_date') }}
),

attributed as (
    select
        rewritten_events.metric,
        rewritten_events.rep_id,
        credited_teams.team_id,
        credited_teams.region_id,
        rewritten_events.month_start,
        rewritten_events.event_value
    from rewritten_events
    left join credited_teams
        on
            rewritten_events.metric = credited_teams.metric
            and rewritten_events.event_id = credited_teams.event_id
),

scoped as (
    {{ aggregate_by_scope(
        'attributed',
        ['rep', 'team', 'region', 'company'],
        ['metric', 'month_start'],
        {'actual_amount': 'sum(event_value)'},
    ) }}
),

{# A month left with no events gets one row of nulls: it deletes the month's rows, then itself. #}
final as (
    select
        scoped.scope_type,
        scoped.scope_id,
        scoped.metric,
        written_months.month_start,
        scoped.actual_amount,
        written_months.inputs_digest
    from written_months
    left join scoped
        on written_months.month_start = scoped.month_start
)

select * from final
