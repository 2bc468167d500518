{#- The contracted face of `int_teams_staffed`, where its rules are written. -#}
with

teams as (
    select * from {{ ref('int_teams_staffed') }}
),

final as (
    select * from teams
)

select * from final
