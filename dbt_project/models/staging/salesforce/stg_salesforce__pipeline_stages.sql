with

source as (
    select * from {{ source('salesforce', 'opportunity_stages') }}
),

final as (
    select
        -- opportunities name their stage by its API name
        cast(api_name as {{ dbt.type_string() }}) as stage_id,
        'default' as pipeline_id,
        master_label as stage_label,
        cast(sort_order as integer) as display_order,
        is_closed,
        is_won,
        -- Salesforce gives a percentage (0-100); our probabilities are ratios
        cast((default_probability / 100) as numeric(9, 4)) as win_probability,
        forecast_category_name as forecast_category,
        is_active,
        'salesforce' as source_system
    from source
)

select * from final
