with

source as (
    select * from {{ source('finance', 'reps') }}
),

final as (
    select
        cast(owner_id as {{ dbt.type_string() }}) as owner_id,
        nullif(full_name, '') as full_name,
        lower(nullif(email, '')) as email,
        role,
        cast(hire_date as date) as hire_date,
        cast(leave_date as date) as leave_date
    from source
)

select * from final
