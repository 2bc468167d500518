with

source as (
    select * from {{ source('incentives_closed', 'incentive_points') }}
),

final as (
    select * from source
)

select * from final
