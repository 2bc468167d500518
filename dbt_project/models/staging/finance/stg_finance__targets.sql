with

source as (
    select * from {{ source('finance', 'targets') }}
),

final as (
    select
        cast(target_id as {{ dbt.type_string() }}) as target_id,
        scope_type,
        cast(scope_id as {{ dbt.type_string() }}) as scope_id,
        metric,
        period_type,
        cast(period_start as date) as period_start,
        cast(target_amount as numeric(18, 2)) as target_amount,
        source_file,
        cast(source_row as integer) as source_row
    from source
)

select * from final
