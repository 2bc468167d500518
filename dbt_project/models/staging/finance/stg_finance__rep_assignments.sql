with

source as (
    select * from {{ source('finance', 'rep_assignments') }}
),

final as (
    select
        owner_id::text as owner_id,
        team_id::text as team_id,
        valid_from::date as valid_from,
        -- exclusive; null while the assignment is current
        valid_to::date as valid_to
    from source
)

select * from final
