{#-
    A Zoho stage is a value of the Deals' `Stage` picklist; a pipeline lists the stages it uses,
    and a stage may serve several pipelines: it is kept once, under the default pipeline first.
-#}
with

source as (
    select * from {{ source('zoho', 'pipeline_stages') }}
),

ranked as (
    select
        *,
        row_number() over (
            partition by stage
            order by not coalesce(pipeline_is_default, false), pipeline
        ) as pipeline_rank
    from source
),

final as (
    select
        cast(stage as {{ dbt.type_string() }}) as stage_id,
        cast(pipeline as {{ dbt.type_string() }}) as pipeline_id,
        stage_label,
        cast(sequence_number as integer) as display_order,
        -- the picklist's forecast type: Open, Closed Won or Closed Lost
        forecast_type in ('Closed Won', 'Closed Lost') as is_closed,
        forecast_type = 'Closed Won' as is_won,
        -- Zoho gives a percentage (0-100); our probabilities are ratios
        cast((probability / 100) as numeric(9, 4)) as win_probability,
        forecast_category,
        'zoho' as source_system
    from ranked
    where pipeline_rank = 1
)

select * from final
