with

source as (
    select * from {{ source('salesforce', 'users') }}
),

final as (
    select
        id::text as owner_id,
        lower(email) as email,
        first_name,
        last_name,
        {{ full_name('first_name', 'last_name') }} as full_name,
        team_id::text as primary_team_id,
        not coalesce(is_active, true) as is_archived,
        created_date::timestamptz as created_at,
        system_modstamp::timestamptz as updated_at,
        'salesforce' as source_system
    from source
)

select * from final
