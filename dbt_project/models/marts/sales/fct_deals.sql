{{
    config(
        indexes=[
            {'columns': ['rep_id']},
            {'columns': ['closed_date']},
            {'columns': ['created_date']},
            {'columns': ['team_id']},
        ],
    )
}}

{#- The contracted face of `int_deals_enriched`, where its rules are written. -#}
with

deals as (
    select * from {{ ref('int_deals_enriched') }}
),

final as (
    select * from deals
)

select * from final
