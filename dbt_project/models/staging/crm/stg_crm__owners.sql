with

source as (
    select * from {{ source('crm', 'owners') }}
),

final as (
    select
        cast(id as {{ dbt.type_string() }}) as owner_id,
        lower(email) as email,
        first_name,
        last_name,
        {{ full_name('first_name', 'last_name') }} as full_name,
        cast(primary_team_id as {{ dbt.type_string() }}) as primary_team_id,
        coalesce(archived, false) as is_archived,
        cast(created_at as {{ type_timestamp_tz() }}) as created_at,
        cast(updated_at as {{ type_timestamp_tz() }}) as updated_at,
        'hubspot' as source_system
    from source
)

select * from final
