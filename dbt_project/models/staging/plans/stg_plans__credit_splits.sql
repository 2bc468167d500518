with

source as (
    select * from {{ source('plans', 'credit_splits') }}
),

renamed as (
    select
        deal_id,
        rep_id,
        cast(credit_share as numeric(9, 4)) as credit_share,
        source_file
    from source
)

select * from renamed
