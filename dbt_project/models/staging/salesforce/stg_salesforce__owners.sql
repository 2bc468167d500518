with

source as (
    select * from {{ source('salesforce', 'users') }}
),

final as (
    select
        cast(id as {{ dbt.type_string() }}) as owner_id,
        lower(email) as email,
        first_name,
        last_name,
        {{ full_name('first_name', 'last_name') }} as full_name,
        cast(team_id as {{ dbt.type_string() }}) as primary_team_id,
        not coalesce(is_active, true) as is_archived,
        cast(created_date as {{ type_timestamp_tz() }}) as created_at,
        cast(system_modstamp as {{ type_timestamp_tz() }}) as updated_at,
        'salesforce' as source_system
    from source
)

select * from final
