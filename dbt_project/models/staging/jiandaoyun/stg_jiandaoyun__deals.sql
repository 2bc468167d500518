with

source as (
    select * from {{ source('jiandaoyun', 'deals') }}
),

stages as (
    select * from {{ source('jiandaoyun', 'stages') }}
),

deletions as (
    {{ jiandaoyun_deletions('deals') }}
),

final as (
    select
        cast(source._id as {{ dbt.type_string() }}) as deal_id,
        source.deal_name,
        'default' as pipeline_id,
        cast(source.stage_id as {{ dbt.type_string() }}) as stage_id,
        cast(source.owner as {{ dbt.type_string() }}) as owner_id,
        cast(source.customer as {{ dbt.type_string() }}) as company_id,
        cast(source.amount as numeric(18, 2)) as amount,
        upper(source.currency) as amount_currency,
        lower(source.lead_source) as lead_source,
        nullif(source.loss_reason, '') as loss_reason,
        nullif(source.product_line, '') as product_line,
        cast(source.create_time as {{ type_timestamp_tz() }}) as created_at,
        -- the close date (结单日期) counts only once the deal is in a closed stage; a closed deal
        -- without one closed when it was last saved
        case
            when stages.is_closed
                then cast(
                    coalesce(source.close_date, source.update_time) as {{ type_timestamp_tz() }}
                )
        end as closed_at,
        -- the deal's own probability (赢率, a ratio) when the form has one, else its stage's
        cast(
            coalesce(source.probability, stages.win_probability) as numeric(9, 4)
        ) as win_probability,
        coalesce(source.forecast_category, stages.forecast_category) as forecast_category,
        coalesce(deletions.is_deleted, false) as is_deleted,
        cast(source.update_time as {{ type_timestamp_tz() }}) as updated_at,
        -- a deletion is found in a later load than the record's: the later one is the row's
        greatest(source._dlt_load_id, deletions._dlt_load_id) as _dlt_load_id,
        'jiandaoyun' as source_system
    from source
    left join stages
        on source.stage_id = stages.stage_id
    left join deletions
        on source._id = deletions.record_id
)

select * from final
