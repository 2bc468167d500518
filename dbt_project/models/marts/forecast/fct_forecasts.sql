{#- The contracted face of `int_forecasts_scoped`, where its rules are written. -#}
with

forecasts as (
    select * from {{ ref('int_forecasts_scoped') }}
),

final as (
    select * from forecasts
)

select * from final
