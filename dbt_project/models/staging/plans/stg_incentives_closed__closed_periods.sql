with

source as (
    select * from {{ source('incentives_closed', 'closed_periods') }}
),

final as (
    select * from source
)

select * from final
