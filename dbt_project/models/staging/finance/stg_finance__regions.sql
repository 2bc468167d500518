with

source as (
    select * from {{ source('finance', 'regions') }}
),

final as (
    select
        cast(region_id as {{ dbt.type_string() }}) as region_id,
        region_name
    from source
)

select * from final
