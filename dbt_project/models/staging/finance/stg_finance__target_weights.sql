with

source as (
    select * from {{ source('finance', 'target_weights') }}
),

final as (
    select
        cast(target_id as {{ dbt.type_string() }}) as target_id,
        cast(month_start as date) as month_start,
        cast(weight as numeric(9, 6)) as weight
    from source
)

select * from final
