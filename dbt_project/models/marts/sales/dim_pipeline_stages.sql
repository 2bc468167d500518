{#- The contracted face of `int_pipeline_stages_enriched`, where its rules are written. -#}
with

stages as (
    select * from {{ ref('int_pipeline_stages_enriched') }}
),

final as (
    select * from stages
)

select * from final
