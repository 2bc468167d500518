{#- CRM owners from the API and the export files; an owner in both keeps the API's record. -#}
with

final as (
    {{ union_crm_systems(
        'owners',
        [
            'owner_id', 'email', 'first_name', 'last_name', 'full_name', 'primary_team_id',
            'is_archived', 'created_at', 'updated_at', 'source_system',
        ],
        ['owner_id'],
    ) }}
)

select * from final
