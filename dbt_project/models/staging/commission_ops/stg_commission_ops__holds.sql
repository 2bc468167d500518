with

source as (
    select * from {{ source('commission_ops', 'hold_status') }}
),

final as (
    select
        cast(hold_id as bigint) as hold_id,
        rep_id,
        deal_id,
        reason,
        held_by,
        held_at,
        released_by,
        released_at,
        release_reason,
        release_period_start,
        status = 'released' as is_released
    from source
)

select * from final
