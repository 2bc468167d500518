{#-
    A stage is a value of `StageName`; a sales process (an opportunity record type's) allows
    some of them, and a stage may serve several processes: it is kept once, under the first
    record type by name that allows it (deals keep their own pipeline whatever their stage's),
    and under `default` when no record type allows it (an org with one sales process).
-#}
with

source as (
    select * from {{ source('salesforce', 'opportunity_stages') }}
),

record_types as (
    select * from {{ source('salesforce', 'record_types') }}
),

record_type_stages as (
    select * from {{ source('salesforce', 'record_type_stages') }}
),

stage_record_types as (
    select
        record_type_stages.stage_name,
        record_type_stages.record_type_id,
        row_number() over (
            partition by record_type_stages.stage_name
            order by record_types.name, record_types.id
        ) as record_type_rank
    from record_type_stages
    inner join record_types
        on record_type_stages.record_type_id = record_types.id
    where record_types.sobject_type = 'Opportunity'
),

final as (
    select
        -- opportunities name their stage by its API name
        cast(source.api_name as {{ dbt.type_string() }}) as stage_id,
        coalesce(
            cast(stage_record_types.record_type_id as {{ dbt.type_string() }}), 'default'
        ) as pipeline_id,
        source.master_label as stage_label,
        cast(source.sort_order as integer) as display_order,
        source.is_closed,
        source.is_won,
        -- Salesforce gives a percentage (0-100); our probabilities are ratios
        cast((source.default_probability / 100) as numeric(9, 4)) as win_probability,
        source.forecast_category_name as forecast_category,
        source.is_active,
        'salesforce' as source_system
    from source
    left join stage_record_types
        on
            source.api_name = stage_record_types.stage_name
            and stage_record_types.record_type_rank = 1
)

select * from final
