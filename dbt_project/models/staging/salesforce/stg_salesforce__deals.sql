with

source as (
    select * from {{ source('salesforce', 'opportunities') }}
),

final as (
    select
        cast(id as {{ dbt.type_string() }}) as deal_id,
        name as deal_name,
        -- an org with several sales processes: the opportunity's record type is its pipeline
        coalesce(cast(record_type_id as {{ dbt.type_string() }}), 'default') as pipeline_id,
        cast(stage_name as {{ dbt.type_string() }}) as stage_id,
        cast(owner_id as {{ dbt.type_string() }}) as owner_id,
        cast(account_id as {{ dbt.type_string() }}) as company_id,
        cast(amount as numeric(18, 2)) as amount,
        upper(currency_iso_code) as amount_currency,
        lower(lead_source) as lead_source,
        nullif(loss_reason, '') as loss_reason,
        -- products are line items (stg_salesforce__opportunity_line_items), not a deal field
        cast(null as {{ dbt.type_string() }}) as product_line,
        cast(created_date as {{ type_timestamp_tz() }}) as created_at,
        -- CloseDate is only a date (and the expected one while open): a closed deal closed
        -- when it entered its closed stage
        case
            when is_closed
                then cast(coalesce(last_stage_change_date, close_date) as {{ type_timestamp_tz() }})
        end as closed_at,
        -- Probability arrives as a percentage (0-100)
        cast((probability / 100) as numeric(9, 4)) as win_probability,
        forecast_category_name as forecast_category,
        coalesce(is_deleted, false) as is_deleted,
        cast(system_modstamp as {{ type_timestamp_tz() }}) as updated_at,
        _dlt_load_id,
        'salesforce' as source_system
    from source
)

select * from final
