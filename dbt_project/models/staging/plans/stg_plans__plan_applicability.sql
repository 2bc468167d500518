with

source as (
    select * from {{ source('plans', 'plan_applicability') }}
),

renamed as (
    select
        plan_id,
        cast(plan_version as integer) as plan_version,
        selector_type,
        selector_value
    from source
)

select * from renamed
