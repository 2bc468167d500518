{#-
    The contracted face of `int_forecast_deals_scored` (its rules live there and in
    int_forecast_pipeline_snapshots): the open pipeline of every forecast day, deal by deal.
-#}
with

scored as (
    select * from {{ ref('int_forecast_deals_scored') }}
),

snapshots as (
    select * from {{ ref('int_forecast_pipeline_snapshots') }}
),

final as (
    select
        scored.*,
        snapshots.days_in_stage,
        snapshots.crm_close_date,
        snapshots.first_amount,
        snapshots.close_date_push_count,
        snapshots.close_date_pull_count,
        snapshots.amount_change_count
    from scored
    inner join snapshots
        on scored.pipeline_snapshot_id = snapshots.pipeline_snapshot_id
)

select * from final
