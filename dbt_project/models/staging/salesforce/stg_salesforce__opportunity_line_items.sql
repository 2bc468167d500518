with

source as (
    select * from {{ source('salesforce', 'opportunity_line_items') }}
),

final as (
    select
        cast(id as {{ dbt.type_string() }}) as line_item_id,
        cast(opportunity_id as {{ dbt.type_string() }}) as deal_id,
        cast(product2_id as {{ dbt.type_string() }}) as product_id,
        cast(quantity as numeric(18, 4)) as quantity,
        cast(unit_price as numeric(18, 2)) as unit_price_amount,
        cast(total_price as numeric(18, 2)) as total_price_amount,
        upper(currency_iso_code) as total_price_currency,
        coalesce(is_deleted, false) as is_deleted,
        cast(system_modstamp as {{ type_timestamp_tz() }}) as updated_at,
        'salesforce' as source_system
    from source
)

select * from final
