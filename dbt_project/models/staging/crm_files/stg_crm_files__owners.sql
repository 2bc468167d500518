with

source as (
    select * from {{ source('crm_files', 'owners') }}
),

final as (
    select
        owner_id::text as owner_id,
        lower(nullif(email, '')) as email,
        null::text as first_name,
        null::text as last_name,
        full_name,
        -- teams come from finance's rep assignments: export files carry no team
        null::text as primary_team_id,
        false as is_archived,
        -- the first time the exports show the person: where an unassigned rep starts
        created_at::timestamptz as created_at,
        null::timestamptz as updated_at,
        'crm_files' as source_system
    from source
)

select * from final
