with

source as (
    select * from {{ source('salesforce', 'products') }}
),

final as (
    select
        cast(id as {{ dbt.type_string() }}) as product_id,
        name as product_name,
        product_code,
        family as product_family,
        coalesce(is_deleted, false) as is_deleted,
        cast(system_modstamp as {{ type_timestamp_tz() }}) as updated_at,
        'salesforce' as source_system
    from source
)

select * from final
