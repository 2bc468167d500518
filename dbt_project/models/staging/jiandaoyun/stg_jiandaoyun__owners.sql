{#-
    Members of the company (通讯录) as owners. A member has only a display name, a username and
    departments; the e-mail and the first and last names come from the 销售人员 form when the
    company keeps one (its latest live record per member).
-#}
with

members as (
    select * from {{ source('jiandaoyun', 'members') }}
),

profiles as (
    select * from {{ source('jiandaoyun', 'member_profiles') }}
),

deletions as (
    {{ jiandaoyun_deletions('members') }}
),

latest_profiles as (
    select
        profiles.*,
        row_number() over (
            partition by profiles.member
            order by profiles.update_time desc, profiles._id desc
        ) as profile_rank
    from profiles
    left join deletions
        on profiles._id = deletions.record_id
    where not coalesce(deletions.is_deleted, false)
),

final as (
    select
        cast(members.username as {{ dbt.type_string() }}) as owner_id,
        lower(latest_profiles.email) as email,
        latest_profiles.first_name,
        latest_profiles.last_name,
        case
            when latest_profiles.first_name is not null or latest_profiles.last_name is not null
                then {{ full_name('latest_profiles.first_name', 'latest_profiles.last_name') }}
            else members.name
        end as full_name,
        -- the member's first department is their team
        cast(members.dept_no as {{ dbt.type_string() }}) as primary_team_id,
        coalesce(members.status, 1) <> 1 as is_archived,
        cast(latest_profiles.create_time as {{ type_timestamp_tz() }}) as created_at,
        cast(latest_profiles.update_time as {{ type_timestamp_tz() }}) as updated_at,
        'jiandaoyun' as source_system
    from members
    left join latest_profiles
        on
            members.username = latest_profiles.member
            and latest_profiles.profile_rank = 1
)

select * from final
