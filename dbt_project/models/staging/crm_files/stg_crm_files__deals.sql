with

source as (
    select * from {{ source('crm_files', 'deals') }}
),

final as (
    select
        deal_id::text as deal_id,
        deal_name,
        pipeline_id::text as pipeline_id,
        stage_id::text as stage_id,
        owner_id::text as owner_id,
        company_id::text as company_id,
        amount::numeric(18, 2) as amount,
        upper(amount_currency) as amount_currency,
        lower(lead_source) as lead_source,
        loss_reason,
        created_at::timestamptz as created_at,
        case
            when stage_id in ('closedwon', 'closedlost') then closed_at::timestamptz
        end as closed_at,
        false as is_deleted,
        coalesce(updated_at, closed_at, created_at)::timestamptz as updated_at,
        _dlt_load_id,
        'crm_files' as source_system
    from source
)

select * from final
