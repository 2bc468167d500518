with

source as (
    select * from {{ source('finance', 'teams') }}
),

final as (
    select
        team_id::text as team_id,
        team_name,
        region_id::text as region_id,
        manager_owner_id::text as manager_owner_id
    from source
)

select * from final
