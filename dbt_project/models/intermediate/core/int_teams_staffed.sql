with

teams as (
    select * from {{ ref('stg_finance__teams') }}
),

regions as (
    select * from {{ ref('stg_finance__regions') }}
),

reps as (
    select * from {{ ref('int_reps_dated') }}
),

managers as (
    select distinct
        rep_id,
        full_name
    from reps
),

current_members as (
    select
        team_id,
        count(distinct rep_id) as rep_count
    from reps
    where is_current and is_active and role = 'rep'
    group by team_id
),

final as (
    select
        teams.team_id,
        teams.team_name,
        teams.region_id,
        regions.region_name,
        teams.manager_owner_id as manager_rep_id,
        managers.full_name as manager_full_name,
        cast(coalesce(current_members.rep_count, 0) as integer) as current_rep_count,
        {# Teams come only from finance's org file (stg_finance__teams). #}
        cast('finance_files' as {{ dbt.type_string() }}) as source_system
    from teams
    left join regions
        on teams.region_id = regions.region_id
    left join managers
        on teams.manager_owner_id = managers.rep_id
    left join current_members
        on teams.team_id = current_members.team_id
)

select * from final
