with

source as (
    select * from {{ source('crm', 'owners') }}
),

final as (
    select
        id::text as owner_id,
        lower(email) as email,
        first_name,
        last_name,
        {{ full_name('first_name', 'last_name') }} as full_name,
        primary_team_id::text as primary_team_id,
        coalesce(archived, false) as is_archived,
        created_at::timestamptz as created_at,
        updated_at::timestamptz as updated_at,
        'hubspot' as source_system
    from source
)

select * from final
