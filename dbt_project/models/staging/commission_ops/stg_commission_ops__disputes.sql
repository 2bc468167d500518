with

source as (
    select * from {{ source('commission_ops', 'dispute_status') }}
),

final as (
    select
        cast(dispute_id as bigint) as dispute_id,
        period_start,
        rep_id,
        commission_line_id,
        deal_id,
        reason,
        raised_by,
        raised_at,
        status,
        resolution_reason,
        resolved_by,
        resolved_at,
        cast(adjustment_amount as numeric(18, 2)) as adjustment_amount
    from source
)

select * from final
