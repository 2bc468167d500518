{#- The contracted face of `int_dates_described`, where its rules are written. -#}
with

dates as (
    select * from {{ ref('int_dates_described') }}
),

final as (
    select * from dates
)

select * from final
