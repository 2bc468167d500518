with

source as (
    select * from {{ source('salesforce', 'products') }}
),

final as (
    select
        id::text as product_id,
        name as product_name,
        product_code,
        family as product_family,
        coalesce(is_deleted, false) as is_deleted,
        system_modstamp::timestamptz as updated_at,
        'salesforce' as source_system
    from source
)

select * from final
