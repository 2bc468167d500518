with

source as (
    select * from {{ source('finance', 'targets') }}
),

final as (
    select
        target_id::text as target_id,
        scope_type,
        scope_id::text as scope_id,
        metric,
        period_type,
        period_start::date as period_start,
        target_amount::numeric(18, 2) as target_amount,
        source_file,
        source_row::integer as source_row
    from source
)

select * from final
