with

source as (
    select * from {{ source('finance', 'reps') }}
),

final as (
    select
        owner_id::text as owner_id,
        nullif(full_name, '') as full_name,
        lower(nullif(email, '')) as email,
        role,
        hire_date::date as hire_date,
        leave_date::date as leave_date
    from source
)

select * from final
