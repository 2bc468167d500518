{#- The contracted face of `int_forecast_accuracy_measured`, where its rules are written. -#}
with

accuracy as (
    select * from {{ ref('int_forecast_accuracy_measured') }}
),

final as (
    select * from accuracy
)

select * from final
