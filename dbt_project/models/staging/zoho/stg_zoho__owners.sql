with

source as (
    select * from {{ source('zoho', 'users') }}
),

final as (
    select
        cast(id as {{ dbt.type_string() }}) as owner_id,
        lower(email) as email,
        first_name,
        last_name,
        {{ full_name('first_name', 'last_name') }} as full_name,
        cast(team_id as {{ dbt.type_string() }}) as primary_team_id,
        -- Zoho users are active, disabled (a rep who left) or deleted
        coalesce(status, 'active') <> 'active' as is_archived,
        cast(created_time as {{ type_timestamp_tz() }}) as created_at,
        cast(modified_time as {{ type_timestamp_tz() }}) as updated_at,
        'zoho' as source_system
    from source
)

select * from final
