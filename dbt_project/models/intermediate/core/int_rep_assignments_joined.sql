{#-
    One row per rep (CRM owner) and team assignment period, with the team's region and manager.
    An owner finance has no assignment for gets one open-ended row on their CRM primary team, so
    every owner appears. Names and emails in finance's org files win over the CRM's (a manager
    with no CRM account still shows a name). `source_system` says which input the period came from: finance's
    assignments (`finance_files`) or the CRM owner record (`hubspot` / `crm_files`).
-#}
with

owners as (
    select * from {{ ref('int_crm_owners_unioned') }}
),

reps as (
    select * from {{ ref('stg_finance__reps') }}
),

assignments as (
    select * from {{ ref('stg_finance__rep_assignments') }}
),

teams as (
    select * from {{ ref('stg_finance__teams') }}
),

regions as (
    select * from {{ ref('stg_finance__regions') }}
),

unassigned_owners as (
    select
        owners.owner_id,
        owners.primary_team_id as team_id,
        coalesce(reps.hire_date, cast(owners.created_at as date)) as valid_from,
        cast(null as date) as valid_to,
        owners.source_system
    from owners
    left join reps
        on owners.owner_id = reps.owner_id
    where not exists (
        select 1
        from assignments
        where assignments.owner_id = owners.owner_id
    )
),

periods as (
    select
        owner_id,
        team_id,
        valid_from,
        valid_to,
        'finance_files' as source_system
    from assignments
    union all
    select
        owner_id,
        team_id,
        valid_from,
        valid_to,
        source_system
    from unassigned_owners
),

final as (
    select
        periods.owner_id as rep_id,
        -- finance's org files name people as the company knows them: they win over the CRM's
        coalesce(reps.email, owners.email) as email,
        owners.first_name,
        owners.last_name,
        coalesce(reps.full_name, owners.full_name) as full_name,
        coalesce(reps.role, 'rep') as role,
        periods.team_id,
        teams.team_name,
        teams.region_id,
        regions.region_name,
        case
            when teams.manager_owner_id != periods.owner_id then teams.manager_owner_id
        end as manager_rep_id,
        reps.hire_date,
        reps.leave_date,
        periods.valid_from,
        periods.valid_to,
        periods.source_system
    from periods
    left join owners
        on periods.owner_id = owners.owner_id
    left join reps
        on periods.owner_id = reps.owner_id
    left join teams
        on periods.team_id = teams.team_id
    left join regions
        on teams.region_id = regions.region_id
)

select * from final
