{#-
    Deal amount and close-date changes from every CRM whose API keeps property history. The
    export files keep none; a CRM without history is left out of `systems`, and its deals keep
    their current values (int_forecast_pipeline_snapshots).
-#}
with

final as (
    {{ union_crm_systems(
        'deal_property_changes',
        [
            'source_system', 'deal_id', 'property_name', 'changed_at', 'new_value', 'old_value',
            '_dlt_load_id',
        ],
        ['deal_id', 'property_name', 'changed_at'],
        systems=['crm', 'salesforce', 'zoho'],
    ) }}
)

select * from final
