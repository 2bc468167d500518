with

source as (
    select * from {{ source('incentives_closed', 'payouts') }}
),

final as (
    select * from source
)

select * from final
