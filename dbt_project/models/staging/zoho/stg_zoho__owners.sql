with

source as (
    select * from {{ source('zoho', 'users') }}
),

final as (
    select
        id::text as owner_id,
        lower(email) as email,
        first_name,
        last_name,
        {{ full_name('first_name', 'last_name') }} as full_name,
        team_id::text as primary_team_id,
        -- Zoho users are active, disabled (a rep who left) or deleted
        coalesce(status, 'active') <> 'active' as is_archived,
        created_time::timestamptz as created_at,
        modified_time::timestamptz as updated_at,
        'zoho' as source_system
    from source
)

select * from final
