{{
    config(
        indexes=[
            {'columns': ['period_type', 'period_start']},
            {'columns': ['scope_type', 'scope_id']},
            {'columns': ['metric']},
        ],
    )
}}

{#- The contracted face of `int_targets_attained`, where its rules are written. -#}
with

attainment as (
    select * from {{ ref('int_targets_attained') }}
),

final as (
    select * from attainment
)

select * from final
