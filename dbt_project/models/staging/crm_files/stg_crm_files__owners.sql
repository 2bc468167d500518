with

source as (
    select * from {{ source('crm_files', 'owners') }}
),

final as (
    select
        cast(owner_id as {{ dbt.type_string() }}) as owner_id,
        lower(nullif(email, '')) as email,
        cast(null as {{ dbt.type_string() }}) as first_name,
        cast(null as {{ dbt.type_string() }}) as last_name,
        full_name,
        -- teams come from finance's rep assignments: export files carry no team
        cast(null as {{ dbt.type_string() }}) as primary_team_id,
        false as is_archived,
        -- the first time the exports show the person: where an unassigned rep starts
        cast(created_at as {{ type_timestamp_tz() }}) as created_at,
        cast(null as {{ type_timestamp_tz() }}) as updated_at,
        'crm_files' as source_system
    from source
)

select * from final
