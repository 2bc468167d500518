{{
    config(
        indexes=[
            {'columns': ['entry_month']},
            {'columns': ['pipeline_id', 'stage_id']},
            {'columns': ['rep_id']},
        ],
    )
}}

{#- The contracted face of `int_funnel_stages_counted`, where the cells are counted (and kept
    incremental by month); the rules are in this model's column descriptions. -#}
with

funnel_stages as (
    select * from {{ ref('int_funnel_stages_counted') }}
),

final as (
    select
        funnel_stage_id,
        pipeline_id,
        pipeline_label,
        stage_id,
        stage_label,
        stage_display_order,
        is_closed_stage,
        is_won_stage,
        entry_month,
        rep_id,
        team_id,
        region_id,
        lead_source,
        deals_entered,
        deals_created,
        deals_advanced,
        deals_won,
        deals_lost_at_stage,
        deals_open_at_stage,
        reporting_currency,
        entered_amount,
        advanced_amount,
        won_amount,
        conversion_rate,
        amount_conversion_rate,
        loss_rate,
        dwell_deal_count,
        avg_dwell_days,
        median_dwell_days,
        top_loss_reasons
    from funnel_stages
)

select * from final
