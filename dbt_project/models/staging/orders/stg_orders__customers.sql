with

source as (
    select * from {{ source('orders', 'customers') }}
),

renamed as (
    select
        cast(customer_id as {{ dbt.type_string() }}) as customer_id,
        customer_name,
        customer_group,
        cast(region_id as {{ dbt.type_string() }}) as region_id,
        cast(crm_company_id as {{ dbt.type_string() }}) as crm_company_id,
        created_at,
        updated_at,
        _dlt_load_id,
        'orders_db' as source_system
    from source
)

select * from renamed
