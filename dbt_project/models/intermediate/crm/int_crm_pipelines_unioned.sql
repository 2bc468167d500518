{#-
    Deal pipelines from the API and the file user's mapping; a pipeline in both keeps the API's
    record. Downstream models read this, so a file pipeline reaches the marts like a HubSpot one.
-#}
with

final as (
    {{ union_crm_systems(
        'pipelines',
        ['pipeline_id', 'pipeline_label', 'display_order'],
        ['pipeline_id'],
    ) }}
)

select * from final
