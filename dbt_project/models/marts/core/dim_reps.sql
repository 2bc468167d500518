{#- The contracted face of `int_reps_dated`, where its rules are written. -#}
with

reps as (
    select * from {{ ref('int_reps_dated') }}
),

final as (
    select * from reps
)

select * from final
