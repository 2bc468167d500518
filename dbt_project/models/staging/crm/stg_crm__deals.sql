with

source as (
    select * from {{ source('crm', 'deals') }}
),

final as (
    select
        cast(id as {{ dbt.type_string() }}) as deal_id,
        dealname as deal_name,
        cast(pipeline as {{ dbt.type_string() }}) as pipeline_id,
        cast(dealstage as {{ dbt.type_string() }}) as stage_id,
        cast(hubspot_owner_id as {{ dbt.type_string() }}) as owner_id,
        cast(company_id as {{ dbt.type_string() }}) as company_id,
        cast(nullif(amount, '') as numeric(18, 2)) as amount,
        upper(deal_currency_code) as amount_currency,
        lower(lead_source) as lead_source,
        nullif(closed_lost_reason, '') as loss_reason,
        -- HubSpot deals carry no product line (products are line items); export files may map one
        cast(null as {{ dbt.type_string() }}) as product_line,
        cast(coalesce(createdate, created_at) as {{ type_timestamp_tz() }}) as created_at,
        -- HubSpot keeps an expected close date on open deals: only closed deals have closed_at
        case
            when dealstage in ('closedwon', 'closedlost')
                then cast(closedate as {{ type_timestamp_tz() }})
        end as closed_at,
        coalesce(is_deleted, false) as is_deleted,
        cast(coalesce(hs_lastmodifieddate, updated_at) as {{ type_timestamp_tz() }}) as updated_at,
        _dlt_load_id,
        'hubspot' as source_system
    from source
)

select * from final
