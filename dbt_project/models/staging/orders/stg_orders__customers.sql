with

source as (
    select * from {{ source('orders', 'customers') }}
),

renamed as (
    select
        customer_id::text as customer_id,
        customer_name,
        customer_group,
        region_id::text as region_id,
        crm_company_id::text as crm_company_id,
        created_at,
        updated_at,
        _dlt_load_id,
        'orders_db' as source_system
    from source
)

select * from renamed
