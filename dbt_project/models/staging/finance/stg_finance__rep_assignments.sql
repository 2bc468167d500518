with

source as (
    select * from {{ source('finance', 'rep_assignments') }}
),

final as (
    select
        cast(owner_id as {{ dbt.type_string() }}) as owner_id,
        cast(team_id as {{ dbt.type_string() }}) as team_id,
        cast(valid_from as date) as valid_from,
        -- exclusive; null while the assignment is current
        cast(valid_to as date) as valid_to
    from source
)

select * from final
