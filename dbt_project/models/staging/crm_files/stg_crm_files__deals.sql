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
        cast(source.deal_id as {{ dbt.type_string() }}) as deal_id,
        source.deal_name,
        cast(source.pipeline_id as {{ dbt.type_string() }}) as pipeline_id,
        cast(source.stage_id as {{ dbt.type_string() }}) as stage_id,
        cast(source.owner_id as {{ dbt.type_string() }}) as owner_id,
        cast(source.company_id as {{ dbt.type_string() }}) as company_id,
        cast(source.amount as numeric(18, 2)) as amount,
        upper(source.amount_currency) as amount_currency,
        source.lead_source,
        source.loss_reason,
        source.product_line,
        cast(source.created_at as {{ type_timestamp_tz() }}) as created_at,
        case
            when source.stage_id in (select closed_stages.stage_id from closed_stages)
                then cast(source.closed_at as {{ type_timestamp_tz() }})
        end as closed_at,
        coalesce(deleted_deals.is_deleted, false) as is_deleted,
        cast(
            coalesce(source.updated_at, source.closed_at, source.created_at)
            as {{ type_timestamp_tz() }}
        ) as updated_at,
        -- a deletion found later (snapshot files) is news of the row's own: the newer load counts
        case
            when
                cast(deleted_deals._dlt_load_id as {{ type_exact_numeric() }})
                > cast(source._dlt_load_id as {{ type_exact_numeric() }})
                then deleted_deals._dlt_load_id
            else source._dlt_load_id
        end as _dlt_load_id,
        'crm_files' as source_system
    from source
    left join deleted_deals
        on source.deal_id = deleted_deals.deal_id
)

select * from final
