{#-
    The funnel's cells (rules on `fct_funnel_stages`, its contracted face), incremental by month of
    stage entry (delete+insert on `entry_month`) on PostgreSQL.

    Which months a run recomputes: each cell is an aggregate of the month's entries (one row per
    deal x stage at its first entry, with everything a cell reads of it: the deal's pipeline, rep,
    lead source, status, amount and loss reason, whether it advanced, its dwell, the stage's labels
    and order, and the rep's team and region in that month). Every month's entries are hashed
    (`inputs_digest`, kept on its cells; macros/utils/months_rewritten.sql), and a run recomputes the months whose digest differs
    from the built one. So a month is recomputed whatever reached it, by a new load or not: a new
    or changed deal or stage move (every month of that deal's stage entries, since its status,
    amount or furthest stage count in each), a deal archived (its months lose it), a moved entry
    date (the month it left and the month it entered both hash differently), an FX correction of a
    deal's amount, a relabelled stage or an org change (every month it reaches). A month left with
    no entries at all is deleted by a marker row (null `funnel_stage_id`), removed by the
    post-hook. Reading every entry to hash it costs a scan of the stage visits; the aggregation
    (medians, loss reasons) and the writes are done for the touched months only. A day's change
    touches the months of the deals it moved (about 4 of 24 at bench scale S).
-#}
{{
    config(
        materialized=incremental_materialization(),
        unique_key='entry_month',
        incremental_strategy='delete+insert',
        on_schema_change='sync_all_columns',
        post_hook=["{% if is_incremental() %}delete from {{ this }} where funnel_stage_id is null{% endif %}"],
        indexes=[
            {'columns': ['entry_month']},
        ],
    )
}}

with

stage_history as (
    select * from {{ ref('int_deal_stage_visits_sequenced') }}
),

deals as (
    select * from {{ ref('int_deals_enriched') }}
),

stages as (
    select * from {{ ref('int_pipeline_stages_enriched') }}
),

rep_months as (
    select * from {{ ref('int_rep_months_assigned') }}
),

{# One row per deal and stage it entered, however often it came back to that stage. #}
deal_stages as (
    select
        deal_id,
        stage_id,
        min(entered_at) as first_entered_at,
        min(visit_number) as first_visit_number,
        sum(dwell_days) as dwell_days,
        max(case when is_current_stage then 1 else 0 end) as is_in_stage
    from stage_history
    group by deal_id, stage_id
),

{# The furthest stage a deal reached in the pipeline's order, not counting lost stages. #}
furthest_stages as (
    select
        stage_history.deal_id,
        max(stages.stage_display_order) as furthest_display_order
    from stage_history
    inner join stages
        on stage_history.stage_id = stages.stage_id
    where not stages.is_lost
    group by stage_history.deal_id
),

deal_stage_outcomes as (
    select
        deals.pipeline_id,
        deal_stages.stage_id,
        {{ month_start('deal_stages.first_entered_at') }} as entry_month,
        deals.rep_id,
        deals.lead_source,
        deal_stages.deal_id,
        deals.deal_reporting_amount,
        deals.loss_reason,
        stages.is_closed,
        stages.is_won,
        deal_stages.first_visit_number = 1 as is_deal_start,
        deals.deal_status = 'won' as is_deal_won,
        deals.deal_status = 'lost' as is_deal_lost,
        deals.deal_status = 'open' as is_deal_open,
        not stages.is_closed
        and coalesce(furthest_stages.furthest_display_order, -1) > stages.stage_display_order
            as is_advanced,
        case when deal_stages.is_in_stage = 0 then deal_stages.dwell_days end as dwell_days,
        stages.pipeline_label,
        stages.stage_label,
        stages.stage_display_order,
        rep_months.team_id,
        rep_months.region_id
    from deal_stages
    inner join deals
        on deal_stages.deal_id = deals.deal_id
    inner join stages
        on deal_stages.stage_id = stages.stage_id
    left join furthest_stages
        on deal_stages.deal_id = furthest_stages.deal_id
    left join rep_months
        on
            deals.rep_id = rep_months.rep_id
            and {{ month_start('deal_stages.first_entered_at') }} = rep_months.month_start
),

{# A month's entries as one hash: everything its cells read of them. #}
entry_digests as (
    {{ month_digests(
        'deal_stage_outcomes',
        'entry_month',
        [
            'deal_id', 'pipeline_id', 'stage_id', 'rep_id', 'lead_source',
            'deal_reporting_amount', 'loss_reason', 'is_closed', 'is_won', 'is_deal_start',
            'is_deal_won', 'is_deal_lost', 'is_deal_open', 'is_advanced', 'dwell_days',
            'pipeline_label', 'stage_label', 'stage_display_order', 'team_id', 'region_id',
        ],
    ) }}
),

{# The months whose entries changed (all of them on a full build), and months left with none. #}
written_months as (
    {{ months_rewritten('entry_digests', 'entry_month') }}
),

classified as (
    select
        *,
        {{ surrogate_key(['pipeline_id', 'stage_id', 'entry_month', 'rep_id', 'lead_source']) }}
            as funnel_stage_id,
        not is_closed and not is_advanced and is_deal_lost as is_lost_here,
        not is_closed and not is_advanced and is_deal_open as is_open_here
    from deal_stage_outcomes
    where entry_month in (select written_months.entry_month from written_months)
),

loss_reason_counts as (
    select
        funnel_stage_id,
        loss_reason,
        count(*) as deal_count
    from classified
    where is_lost_here
    group by funnel_stage_id, loss_reason
),

ranked_loss_reasons as (
    select
        *,
        row_number() over (
            partition by funnel_stage_id order by deal_count desc, loss_reason asc
        ) as reason_rank
    from loss_reason_counts
),

top_loss_reasons as (
    select
        funnel_stage_id,
        {{ dbt.listagg(
            dbt.concat(['loss_reason', "' ('", 'cast(deal_count as ' ~ dbt.type_string() ~ ')', "')'"]),
            "', '",
            'order by reason_rank',
        ) }} as top_loss_reasons
    from ranked_loss_reasons
    where reason_rank <= 3
    group by funnel_stage_id
),

cells as (
    select
        funnel_stage_id,
        pipeline_id,
        stage_id,
        entry_month,
        rep_id,
        team_id,
        region_id,
        lead_source,
        max(case when is_closed then 1 else 0 end) = 1 as is_closed_stage,
        count(*) as deals_entered,
        sum(case when is_deal_start then 1 else 0 end) as deals_created,
        sum(case when is_advanced then 1 else 0 end) as deals_advanced,
        sum(case when is_deal_won then 1 else 0 end) as deals_won,
        sum(case when is_lost_here then 1 else 0 end) as deals_lost_at_stage,
        sum(case when is_open_here then 1 else 0 end) as deals_open_at_stage,
        sum(deal_reporting_amount) as entered_amount,
        sum(case when is_advanced then deal_reporting_amount end) as advanced_amount,
        sum(case when is_deal_won then deal_reporting_amount end) as won_amount,
        count(dwell_days) as dwell_deal_count,
        avg(dwell_days) as avg_dwell_days,
        {{ median('dwell_days') }} as median_dwell_days
    from classified
    {# a rep's team and region are those of the cell's month: one per cell #}
    group by
        funnel_stage_id, pipeline_id, stage_id, entry_month, rep_id, team_id, region_id, lead_source
),

counted as (
    select
        cells.funnel_stage_id,
        cells.pipeline_id,
        stages.pipeline_label,
        cells.stage_id,
        stages.stage_label,
        stages.stage_display_order,
        cells.is_closed_stage,
        stages.is_won as is_won_stage,
        cells.entry_month,
        cells.rep_id,
        cells.team_id,
        cells.region_id,
        cells.lead_source,
        cast(cells.deals_entered as integer) as deals_entered,
        cast(cells.deals_created as integer) as deals_created,
        cast(cells.deals_advanced as integer) as deals_advanced,
        cast(cells.deals_won as integer) as deals_won,
        cast(cells.deals_lost_at_stage as integer) as deals_lost_at_stage,
        cast(cells.deals_open_at_stage as integer) as deals_open_at_stage,
        cast('{{ var("reporting_currency") }}' as {{ dbt.type_string() }}) as reporting_currency,
        cast(coalesce(cells.entered_amount, 0) as numeric(18, 2)) as entered_amount,
        cast(coalesce(cells.advanced_amount, 0) as numeric(18, 2)) as advanced_amount,
        cast(coalesce(cells.won_amount, 0) as numeric(18, 2)) as won_amount,
        cast(
            case
                when not cells.is_closed_stage
                    then round(1.0 * cells.deals_advanced / cells.deals_entered, 4)
            end as numeric(9, 4)
        ) as conversion_rate,
        cast(
            case
                when not cells.is_closed_stage
                    then round(
                        {{ safe_divide('cells.advanced_amount', 'cells.entered_amount') }}, 4
                    )
            end as numeric(9, 4)
        ) as amount_conversion_rate,
        cast(
            case
                when not cells.is_closed_stage
                    then round(1.0 * cells.deals_lost_at_stage / cells.deals_entered, 4)
            end as numeric(9, 4)
        ) as loss_rate,
        cast(cells.dwell_deal_count as integer) as dwell_deal_count,
        cast(round(cells.avg_dwell_days, 2) as numeric(10, 2)) as avg_dwell_days,
        cast(round(cells.median_dwell_days, 2) as numeric(10, 2)) as median_dwell_days,
        top_loss_reasons.top_loss_reasons
    from cells
    inner join stages
        on cells.stage_id = stages.stage_id
    left join top_loss_reasons
        on cells.funnel_stage_id = top_loss_reasons.funnel_stage_id
),


{# A month left with no entries gets one row of nulls: it deletes the month's cells, then itself. #}
final as (
    select
        counted.funnel_stage_id,
        counted.pipeline_id,
        counted.pipeline_label,
        counted.stage_id,
        counted.stage_label,
        counted.stage_display_order,
        counted.is_closed_stage,
        counted.is_won_stage,
        written_months.entry_month,
        counted.rep_id,
        counted.team_id,
        counted.region_id,
        counted.lead_source,
        counted.deals_entered,
        counted.deals_created,
        counted.deals_advanced,
        counted.deals_won,
        counted.deals_lost_at_stage,
        counted.deals_open_at_stage,
        counted.reporting_currency,
        counted.entered_amount,
        counted.advanced_amount,
        counted.won_amount,
        counted.conversion_rate,
        counted.amount_conversion_rate,
        counted.loss_rate,
        counted.dwell_deal_count,
        counted.avg_dwell_days,
        counted.median_dwell_days,
        counted.top_loss_reasons,
        written_months.inputs_digest
    from written_months
    left join counted
        on written_months.entry_month = counted.entry_month
)

select * from final
