with

source as (
    select * from {{ source('finance', 'fx_rates') }}
),

final as (
    select
        cast(rate_date as date) as rate_date,
        upper(from_currency) as from_currency,
        upper(to_currency) as to_currency,
        cast(fx_rate as numeric(18, 8)) as fx_rate,
        _dlt_load_id
    from source
)

select * from final
