with

source as (
    select * from {{ source('salesforce', 'opportunities') }}
),

final as (
    select
        id::text as deal_id,
        name as deal_name,
        -- an org with several sales processes: the opportunity's record type is its pipeline
        coalesce(cast(record_type_id as {{ dbt.type_string() }}), 'default') as pipeline_id,
        stage_name::text as stage_id,
        owner_id::text as owner_id,
        account_id::text as company_id,
        amount::numeric(18, 2) as amount,
        upper(currency_iso_code) as amount_currency,
        lower(lead_source) as lead_source,
        nullif(loss_reason, '') as loss_reason,
        -- products are line items (stg_salesforce__opportunity_line_items), not a deal field
        cast(null as text) as product_line,
        created_date::timestamptz as created_at,
        -- CloseDate is only a date (and the expected one while open): a closed deal closed
        -- when it entered its closed stage
        case
            when is_closed then coalesce(last_stage_change_date, close_date)::timestamptz
        end as closed_at,
        -- Probability arrives as a percentage (0-100)
        (probability / 100)::numeric(9, 4) as win_probability,
        forecast_category_name as forecast_category,
        coalesce(is_deleted, false) as is_deleted,
        system_modstamp::timestamptz as updated_at,
        _dlt_load_id,
        'salesforce' as source_system
    from source
)

select * from final
