{#-
    OpportunityHistory writes a row whenever the stage, amount, close date or probability
    changes: a stage change is a row whose stage differs from the one before it.
-#}
with

source as (
    select * from {{ source('salesforce', 'opportunity_history') }}
),

live as (
    -- a deleted opportunity takes its history to the recycle bin with it
    select * from source
    where not coalesce(is_deleted, false)
),

ordered as (
    select
        *,
        lag(stage_name) over (
            partition by opportunity_id
            order by created_date, id
        ) as previous_stage_name
    from live
),

final as (
    select
        cast(opportunity_id as {{ dbt.type_string() }}) as deal_id,
        cast(stage_name as {{ dbt.type_string() }}) as stage_id,
        cast(created_date as {{ type_timestamp_tz() }}) as changed_at,
        _dlt_load_id,
        'salesforce' as source_system
    from ordered
    where previous_stage_name is null or previous_stage_name <> stage_name
)

select * from final
