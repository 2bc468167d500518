{#- Every organisation scope a target or KPI can be about, with its display name. -#}
with

owners as (
    select * from {{ ref('int_crm_owners_unioned') }}
),

teams as (
    select * from {{ ref('stg_finance__teams') }}
),

regions as (
    select * from {{ ref('stg_finance__regions') }}
),

final as (
    select
        'company' as scope_type,
        'company' as scope_id,
        'Company' as scope_name
    union all
    select
        'region' as scope_type,
        region_id as scope_id,
        region_name as scope_name
    from regions
    union all
    select
        'team' as scope_type,
        team_id as scope_id,
        team_name as scope_name
    from teams
    union all
    select
        'rep' as scope_type,
        owner_id as scope_id,
        full_name as scope_name
    from owners
)

select * from final
