{#- CRM activities from the API's engagements and the export files (visit logs). -#}
with

final as (
    {{ union_crm_systems(
        'activities',
        [
            'activity_id', 'activity_type', 'owner_id', 'deal_id', 'company_id', 'occurred_at',
            'is_deleted', 'updated_at', 'source_system', '_dlt_load_id',
        ],
        ['activity_id'],
    ) }}
)

select * from final
