with

source as (
    select * from {{ source('crm_files', 'pipeline_stages') }}
),

final as (
    select
        cast(stage_id as {{ dbt.type_string() }}) as stage_id,
        cast(pipeline_id as {{ dbt.type_string() }}) as pipeline_id,
        label_en as stage_label,
        cast(display_order as integer) as display_order,
        (is_won or is_lost) as is_closed,
        is_won,
        cast(probability as numeric(9, 4)) as win_probability,
        'crm_files' as source_system
    from source
)

select * from final
