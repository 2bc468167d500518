with

source as (
    select * from {{ source('finance', 'marketing_spend') }}
),

final as (
    select
        cast(month_start as date) as month_start,
        channel,
        cast(region_id as {{ dbt.type_string() }}) as region_id,
        cast(spend_amount as numeric(18, 2)) as spend_amount,
        upper(spend_currency) as spend_currency
    from source
)

select * from final
