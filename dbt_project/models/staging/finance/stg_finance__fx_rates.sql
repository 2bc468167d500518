with

source as (
    select * from {{ source('finance', 'fx_rates') }}
),

final as (
    select
        rate_date::date as rate_date,
        upper(from_currency) as from_currency,
        upper(to_currency) as to_currency,
        fx_rate::numeric(18, 8) as fx_rate,
        _dlt_load_id
    from source
)

select * from final
