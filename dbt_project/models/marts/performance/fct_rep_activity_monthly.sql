{{
    config(
        indexes=[
            {'columns': ['month_start']},
            {'columns': ['rep_id']},
            {'columns': ['team_id']},
        ],
    )
}}

{#- The contracted face of `int_rep_months_measured`, where its rules are written. -#}
with

rep_months as (
    select * from {{ ref('int_rep_months_measured') }}
),

final as (
    select * from rep_months
)

select * from final
