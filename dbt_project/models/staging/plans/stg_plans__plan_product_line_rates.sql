with

source as (
    select * from {{ source('plans', 'plan_product_line_rates') }}
),

renamed as (
    select
        plan_id,
        cast(plan_version as integer) as plan_version,
        product_line,
        cast(rate as numeric(9, 4)) as rate
    from source
)

select * from renamed
