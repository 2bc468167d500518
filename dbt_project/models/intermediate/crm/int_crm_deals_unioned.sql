{#- CRM deals from the API and the export files; a deal in both keeps the API's record. -#}
with

final as (
    {{ union_crm_systems(
        'deals',
        [
            'deal_id', 'deal_name', 'pipeline_id', 'stage_id', 'owner_id', 'company_id', 'amount',
            'amount_currency', 'lead_source', 'loss_reason', 'product_line', 'created_at',
            'closed_at',
            'is_deleted', 'updated_at', 'source_system', '_dlt_load_id',
        ],
        ['deal_id'],
    ) }}
)

select * from final
