with

source as (
    select * from {{ source('plans', 'plan_spifs') }}
),

renamed as (
    select
        plan_id,
        cast(plan_version as integer) as plan_version,
        spif_id,
        product_line,
        starts_on,
        ends_on,
        cast(amount_per_order_line as numeric(18, 2)) as amount_per_order_line
    from source
)

select * from renamed
