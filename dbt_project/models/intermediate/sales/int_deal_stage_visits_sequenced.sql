{#-
    Incremental by deal: when a deal or its stage history changed since the last run, all of that
    deal's visits are rebuilt (unique_key deal_id, delete+insert), because a new stage change
    closes the previous visit. Deals deleted in the CRM are removed by the post-hook.
-#}
{{
    config(
        materialized=incremental_materialization(),
        unique_key='deal_id',
        incremental_strategy='delete+insert',
        on_schema_change='sync_all_columns',
        post_hook=[
            "{{ delete_records_deleted_at_source('deal_id', 'int_crm_deals_unioned') }}",
        ],
        indexes=[
            {'columns': ['stage_visit_id'], 'unique': True},
            {'columns': ['deal_id']},
            {'columns': ['stage_id']},
            {'columns': ['entered_at']},
        ],
    )
}}

with

deals as (
    select * from {{ ref('int_crm_deals_unioned') }}
),

stage_changes as (
    select * from {{ ref('int_crm_deal_stage_changes_unioned') }}
),

stages as (
    select * from {{ ref('int_crm_pipeline_stages_unioned') }}
),

{% if is_incremental() %}
cutoff as (
    {{ incremental_load_cursor() }}
),

changed_deals as (
    select deals.deal_id
    from deals
    cross join cutoff
    where {{ loaded_after_cursor('deals') }}
    union
    select stage_changes.deal_id
    from stage_changes
    cross join cutoff
    where {{ loaded_after_cursor('stage_changes') }}
),
{% endif %}

scoped_deals as (
    select deals.*
    from deals
    where
        not deals.is_deleted
        {% if is_incremental() -%}
        and deals.deal_id in (select changed_deals.deal_id from changed_deals)
        {%- endif %}
),

{# A deal with no recorded stage change entered its current stage when it was created. #}
all_changes as (
    select
        stage_changes.deal_id,
        stage_changes.stage_id,
        stage_changes.changed_at,
        stage_changes.source_system
    from stage_changes
    inner join scoped_deals
        on stage_changes.deal_id = scoped_deals.deal_id
    union all
    select
        scoped_deals.deal_id,
        scoped_deals.stage_id,
        scoped_deals.created_at as changed_at,
        scoped_deals.source_system
    from scoped_deals
    where not exists (
        select 1
        from stage_changes
        where stage_changes.deal_id = scoped_deals.deal_id
    )
),

ordered_changes as (
    select
        all_changes.deal_id,
        all_changes.stage_id,
        all_changes.changed_at,
        all_changes.source_system,
        lag(all_changes.stage_id) over (
            partition by all_changes.deal_id
            order by all_changes.changed_at, stages.display_order, all_changes.stage_id
        ) as previous_stage_id,
        stages.display_order
    from all_changes
    left join stages
        on all_changes.stage_id = stages.stage_id
),

{# A change to the stage the deal is already in starts no new visit. #}
visit_starts as (
    select *
    from ordered_changes
    where previous_stage_id is null or previous_stage_id != stage_id
),

visits as (
    select
        deal_id,
        stage_id,
        source_system,
        changed_at as entered_at,
        row_number() over (
            partition by deal_id order by changed_at, display_order, stage_id
        ) as visit_number,
        lead(changed_at) over (
            partition by deal_id order by changed_at, display_order, stage_id
        ) as exited_at,
        lead(stage_id) over (
            partition by deal_id order by changed_at, display_order, stage_id
        ) as next_stage_id
    from visit_starts
),

deal_freshness as (
    select
        scoped_deals.deal_id,
        scoped_deals.pipeline_id,
        greatest(
            scoped_deals.updated_at,
            coalesce(max(stage_changes.changed_at), scoped_deals.updated_at)
        ) as source_updated_at,
        {{ newest_load_id([
            'scoped_deals._dlt_load_id',
            'coalesce(max(cast(stage_changes._dlt_load_id as ' ~ type_exact_numeric() ~ ')), 0)',
        ]) }} as _dlt_load_id
    from scoped_deals
    left join stage_changes
        on scoped_deals.deal_id = stage_changes.deal_id
    group by
        scoped_deals.deal_id,
        scoped_deals.pipeline_id,
        scoped_deals.updated_at,
        scoped_deals._dlt_load_id
),

final as (
    select
        {{ dbt.concat([
            'visits.deal_id',
            "':'",
            'cast(visits.visit_number as ' ~ dbt.type_string() ~ ')',
        ]) }} as stage_visit_id,
        visits.deal_id,
        deal_freshness.pipeline_id,
        visits.stage_id,
        cast(visits.visit_number as integer) as visit_number,
        visits.entered_at,
        visits.exited_at,
        visits.next_stage_id,
        cast(
            case
                when visits.exited_at is not null
                    then {{ days_between('visits.entered_at', 'visits.exited_at') }}
            end as numeric(10, 2)
        ) as dwell_days,
        visits.exited_at is null as is_current_stage,
        deal_freshness.source_updated_at,
        visits.source_system,
        deal_freshness._dlt_load_id
    from visits
    inner join deal_freshness
        on visits.deal_id = deal_freshness.deal_id
)

select * from final
