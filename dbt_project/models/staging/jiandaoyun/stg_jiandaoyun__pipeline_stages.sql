with

source as (
    select * from {{ source('jiandaoyun', 'stages') }}
),

final as (
    select
        cast(stage_id as {{ dbt.type_string() }}) as stage_id,
        'default' as pipeline_id,
        -- the stage as users see it: the select option's text
        stage_value as stage_label,
        cast(display_order as integer) as display_order,
        is_closed,
        is_won,
        cast(win_probability as numeric(9, 4)) as win_probability,
        forecast_category,
        'jiandaoyun' as source_system
    from source
)

select * from final
