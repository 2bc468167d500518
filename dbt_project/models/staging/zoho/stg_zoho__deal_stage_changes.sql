{#-
    The Deals' Stage_History related list writes a row whenever the stage, amount, closing date
    or probability changes: a stage change is a row whose stage differs from the one before it.
-#}
with

source as (
    select * from {{ source('zoho', 'deal_stage_history') }}
),

deleted as (
    select * from {{ source('zoho', 'deleted_records') }}
    where module = 'Deals'
),

live as (
    -- a deleted deal takes its history with it
    select source.*
    from source
    left join deleted
        on source.deal_id = deleted.id
    where deleted.id is null
),

ordered as (
    select
        *,
        lag(stage) over (
            partition by deal_id
            order by modified_time, id
        ) as previous_stage
    from live
),

final as (
    select
        cast(deal_id as {{ dbt.type_string() }}) as deal_id,
        cast(stage as {{ dbt.type_string() }}) as stage_id,
        cast(modified_time as {{ type_timestamp_tz() }}) as changed_at,
        _dlt_load_id,
        'zoho' as source_system
    from ordered
    where previous_stage is null or previous_stage <> stage
)

select * from final
