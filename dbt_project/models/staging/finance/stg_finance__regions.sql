with

source as (
    select * from {{ source('finance', 'regions') }}
),

final as (
    select
        region_id::text as region_id,
        region_name
    from source
)

select * from final
