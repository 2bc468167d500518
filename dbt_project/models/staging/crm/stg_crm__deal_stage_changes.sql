with

source as (
    select * from {{ source('crm', 'deal_stage_history') }}
),

final as (
    select
        cast(deal_id as {{ dbt.type_string() }}) as deal_id,
        cast(stage_id as {{ dbt.type_string() }}) as stage_id,
        cast(changed_at as {{ type_timestamp_tz() }}) as changed_at,
        _dlt_load_id,
        'hubspot' as source_system
    from source
)

select * from final
