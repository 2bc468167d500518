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
        deal_id::text as deal_id,
        stage,
        modified_time::timestamptz as changed_at,
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
            source.id::text = stage_changes.deal_id
            and source.stage = stage_changes.stage_id
    group by source.id
),

final as (
    select
        source.id::text as deal_id,
        source.deal_name,
        source.pipeline::text as pipeline_id,
        source.stage::text as stage_id,
        source.owner_id::text as owner_id,
        source.account_name_id::text as company_id,
        source.amount::numeric(18, 2) as amount,
        upper(source.currency) as amount_currency,
        lower(source.lead_source) as lead_source,
        nullif(source.loss_reason, '') as loss_reason,
        -- products are line items in Zoho, not a deal field
        null::text as product_line,
        source.created_time::timestamptz as created_at,
        -- Closing_Date is only a date (and the expected one while open): a closed deal closed
        -- when it entered its closed stage (Stage_History)
        case
            when closed_stages.stage is not null
                then coalesce(entered_current_stage.entered_at, source.closing_date::timestamptz)
        end as closed_at,
        -- Probability arrives as a percentage (0-100)
        (source.probability / 100)::numeric(9, 4) as win_probability,
        -- found by the deleted-records endpoint; kept so history stays explainable
        deleted.id is not null as is_deleted,
        source.modified_time::timestamptz as updated_at,
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
