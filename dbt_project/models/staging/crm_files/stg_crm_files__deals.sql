with

source as (
    select * from {{ source('crm_files', 'deals') }}
),

deleted_rows as (
    select * from {{ source('crm_files', 'deleted_rows') }}
),

pipeline_stages as (
    select * from {{ source('crm_files', 'pipeline_stages') }}
),

closed_stages as (
    select 'closedwon' as stage_id
    union all
    select 'closedlost' as stage_id
    union all
    select stage_id from pipeline_stages where is_won or is_lost
),

deleted_deals as (
    select
        key as deal_id,
        is_deleted,
        _dlt_load_id
    from deleted_rows
    where entity = 'deals'
),

final as (
    select
        source.deal_id::text as deal_id,
        source.deal_name,
        source.pipeline_id::text as pipeline_id,
        source.stage_id::text as stage_id,
        source.owner_id::text as owner_id,
        source.company_id::text as company_id,
        source.amount::numeric(18, 2) as amount,
        upper(source.amount_currency) as amount_currency,
        source.lead_source,
        source.loss_reason,
        source.product_line,
        source.created_at::timestamptz as created_at,
        case
            when source.stage_id in (select closed_stages.stage_id from closed_stages)
                then source.closed_at::timestamptz
        end as closed_at,
        coalesce(deleted_deals.is_deleted, false) as is_deleted,
        coalesce(source.updated_at, source.closed_at, source.created_at)::timestamptz as updated_at,
        -- a deletion found later (snapshot files) is news of the row's own: the newer load counts
        case
            when
                cast(deleted_deals._dlt_load_id as numeric)
                > cast(source._dlt_load_id as numeric)
                then deleted_deals._dlt_load_id
            else source._dlt_load_id
        end as _dlt_load_id,
        'crm_files' as source_system
    from source
    left join deleted_deals
        on source.deal_id = deleted_deals.deal_id
)

select * from final
