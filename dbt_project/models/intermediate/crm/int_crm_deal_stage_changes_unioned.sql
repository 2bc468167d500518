{#- Deal stage changes from the API's stage history and the export files. -#}
with

final as (
    {{ union_crm_systems(
        'deal_stage_changes',
        ['deal_id', 'stage_id', 'changed_at', 'source_system', '_dlt_load_id'],
        ['deal_id', 'stage_id', 'changed_at'],
    ) }}
)

select * from final
