with

source as (
    select * from {{ source('crm', 'deals') }}
),

final as (
    select
        id::text as deal_id,
        dealname as deal_name,
        pipeline::text as pipeline_id,
        dealstage::text as stage_id,
        hubspot_owner_id::text as owner_id,
        company_id::text as company_id,
        nullif(amount, '')::numeric(18, 2) as amount,
        upper(deal_currency_code) as amount_currency,
        lower(lead_source) as lead_source,
        nullif(closed_lost_reason, '') as loss_reason,
        -- HubSpot deals carry no product line (products are line items); export files may map one
        cast(null as text) as product_line,
        coalesce(createdate, created_at)::timestamptz as created_at,
        -- HubSpot keeps an expected close date on open deals: only closed deals have closed_at
        case
            when dealstage in ('closedwon', 'closedlost') then closedate::timestamptz
        end as closed_at,
        coalesce(is_deleted, false) as is_deleted,
        coalesce(hs_lastmodifieddate, updated_at)::timestamptz as updated_at,
        _dlt_load_id,
        'hubspot' as source_system
    from source
)

select * from final
