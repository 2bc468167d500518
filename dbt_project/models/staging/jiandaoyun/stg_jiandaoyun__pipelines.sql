{#-
    Jiandaoyun has no pipeline object: the stages of `sources.jiandaoyun.stages` make one
    pipeline, present once it has stages.
-#}
with

stages as (
    select * from {{ source('jiandaoyun', 'stages') }}
),

final as (
    select distinct
        'default' as pipeline_id,
        'Deals 商机' as pipeline_label,
        0 as display_order
    from stages
)

select * from final
