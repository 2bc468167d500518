with

source as (
    select * from {{ source('finance', 'marketing_spend') }}
),

final as (
    select
        month_start::date as month_start,
        channel,
        region_id::text as region_id,
        spend_amount::numeric(18, 2) as spend_amount,
        upper(spend_currency) as spend_currency
    from source
)

select * from final
