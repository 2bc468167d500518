with

source as (
    select * from {{ source('salesforce', 'opportunity_line_items') }}
),

final as (
    select
        id::text as line_item_id,
        opportunity_id::text as deal_id,
        product2_id::text as product_id,
        quantity::numeric(18, 4) as quantity,
        unit_price::numeric(18, 2) as unit_price_amount,
        total_price::numeric(18, 2) as total_price_amount,
        upper(currency_iso_code) as total_price_currency,
        coalesce(is_deleted, false) as is_deleted,
        system_modstamp::timestamptz as updated_at,
        'salesforce' as source_system
    from source
)

select * from final
