with

source as (
    select * from {{ source('incentives_closed', 'payout_payments') }}
),

final as (
    select * from source
)

select * from final
