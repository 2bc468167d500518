{#- CRM companies from the API and the export files; a company in both keeps the API's record. -#}
with

final as (
    {{ union_crm_systems(
        'companies',
        [
            'company_id', 'company_name', 'customer_id', 'industry', 'created_at', 'is_deleted',
            'updated_at', 'source_system',
        ],
        ['company_id'],
    ) }}
)

select * from final
