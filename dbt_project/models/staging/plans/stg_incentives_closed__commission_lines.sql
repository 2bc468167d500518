with

source as (
    select * from {{ source('incentives_closed', 'commission_lines') }}
),

final as (
    select * from source
)

select * from final
