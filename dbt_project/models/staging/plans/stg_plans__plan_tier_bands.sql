with

source as (
    select * from {{ source('plans', 'plan_tier_bands') }}
),

renamed as (
    select
        plan_id,
        cast(plan_version as integer) as plan_version,
        cast(band_number as integer) as band_number,
        cast(from_attainment as numeric(9, 4)) as from_attainment,
        cast(rate as numeric(9, 4)) as rate
    from source
)

select * from renamed
