with

source as (
    select * from {{ source('zoho', 'deals') }}
),

deleted as (
    select * from {{ source('zoho', 'deleted_records') }}
    where module = 'Deals'
),

closed_stages as (
    select distinct stage
    from {{ source('zoho', 'pipeline_stages') }}
    where forecast_type in ('Closed Won', 'Closed Lost')
),

stage_history as (
    -- staging reads sources only: the stage changes as stg_zoho__deal_stage_changes finds them
    select
        cast(deal_id as {{ dbt.type_string() }}) as deal_id,
        stage,
        cast(modified_time as {{ type_timestamp_tz() }}) as changed_at,
        lag(stage) over (partition by deal_id order by modified_time, id) as previous_stage
    from {{ source('zoho', 'deal_stage_history') }}
),

stage_changes as (
    select
        deal_id,
        stage as stage_id,
        changed_at
    from stage_history
    where previous_stage is null or previous_stage <> stage
),

entered_current_stage as (
    -- when each deal last entered the stage it is in
    select
        source.id,
        max(stage_changes.changed_at) as entered_at
    from source
    inner join stage_changes
        on
            cast(source.id as {{ dbt.type_string() }}) = stage_changes.deal_id
            and source.stage = stage_changes.stage_id
    group by source.id
),

final as (
    select
        cast(source.id as {{ dbt.type_string() }}) as deal_id,
        source.deal_name,
        cast(source.pipeline as {{ dbt.type_string() }}) as pipeline_id,
        cast(source.stage as {{ dbt.type_string() }}) as stage_id,
        cast(source.owner_id as {{ dbt.type_string() }}) as owner_id,
        cast(source.account_name_id as {{ dbt.type_string() }}) as company_id,
        cast(source.amount as numeric(18, 2)) as amount,
        upper(source.currency) as amount_currency,
        lower(source.lead_source) as lead_source,
        nullif(source.loss_reason, '') as loss_reason,
        -- products are line items in Zoho, not a deal field
        cast(null as {{ dbt.type_string() }}) as product_line,
        cast(source.created_time as {{ type_timestamp_tz() }}) as created_at,
        -- Closing_Date is only a date (and the expected one while open): a closed deal closed
        -- when it entered its closed stage (Stage_History)
        case
            when closed_stages.stage is not null
                then coalesce(
                    entered_current_stage.entered_at,
                    cast(source.closing_date as {{ type_timestamp_tz() }})
                )
        end as closed_at,
        -- Probability arrives as a percentage (0-100)
        cast((source.probability / 100) as numeric(9, 4)) as win_probability,
        -- found by the deleted-records endpoint; kept so history stays explainable
        deleted.id is not null as is_deleted,
        cast(source.modified_time as {{ type_timestamp_tz() }}) as updated_at,
        source._dlt_load_id,
        'zoho' as source_system
    from source
    left join closed_stages
        on source.stage = closed_stages.stage
    left join entered_current_stage
        on source.id = entered_current_stage.id
    left join deleted
        on source.id = deleted.id
)

select * from final
