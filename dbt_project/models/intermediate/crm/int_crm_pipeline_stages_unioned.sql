{#-
    Pipeline stages from the API and the file user's mapping (labels, order, won/lost,
    probability); a stage in both keeps the API's record.
-#}
with

final as (
    {{ union_crm_systems(
        'pipeline_stages',
        [
            'stage_id', 'pipeline_id', 'stage_label', 'display_order', 'is_closed', 'is_won',
            'win_probability', 'source_system',
        ],
        ['stage_id'],
    ) }}
)

select * from final
