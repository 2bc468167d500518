with

source as (
    select * from {{ source('finance', 'target_weights') }}
),

final as (
    select
        target_id::text as target_id,
        month_start::date as month_start,
        weight::numeric(9, 6) as weight
    from source
)

select * from final
