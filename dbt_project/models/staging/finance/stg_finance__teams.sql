with

source as (
    select * from {{ source('finance', 'teams') }}
),

final as (
    select
        cast(team_id as {{ dbt.type_string() }}) as team_id,
        team_name,
        cast(region_id as {{ dbt.type_string() }}) as region_id,
        cast(manager_owner_id as {{ dbt.type_string() }}) as manager_owner_id
    from source
)

select * from final
