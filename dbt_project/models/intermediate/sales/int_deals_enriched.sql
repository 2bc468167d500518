with

deals as (
    select * from {{ ref('int_crm_deals_unioned') }}
),

companies as (
    select * from {{ ref('int_crm_companies_unioned') }}
),

stages as (
    select * from {{ ref('int_pipeline_stages_enriched') }}
),

stage_history as (
    select * from {{ ref('int_deal_stage_visits_sequenced') }}
),

activities as (
    select * from {{ ref('int_activities_enriched') }}
),

fx_rates as (
    select * from {{ ref('int_fx_rates_filled') }}
),

data_date as (
    select * from {{ ref('int_data_date') }}
),

visit_counts as (
    select
        deal_id,
        count(*) as stage_visit_count,
        max(case when is_current_stage then entered_at end) as current_stage_entered_at
    from stage_history
    group by deal_id
),

{# Follow-up: the first call, meeting, visit or email logged on the deal after it was created. #}
follow_ups as (
    select
        deals.deal_id,
        min(activities.occurred_at) as first_follow_up_at
    from deals
    inner join activities
        on
            deals.deal_id = activities.deal_id
            and deals.created_at <= activities.occurred_at
            and activities.activity_type in ('call', 'meeting', 'visit', 'email')
    group by deals.deal_id
),

classified as (
    select
        deals.deal_id,
        deals.deal_name,
        deals.pipeline_id,
        stages.pipeline_label,
        deals.stage_id,
        stages.stage_label,
        case
            when stages.is_won then 'won'
            when stages.is_closed then 'lost'
            else 'open'
        end as deal_status,
        coalesce(stages.is_closed, false) as is_closed,
        coalesce(stages.is_won, false) as is_won,
        deals.owner_id as rep_id,
        deals.company_id,
        companies.customer_id,
        coalesce(deals.lead_source, 'unknown') as lead_source,
        case when stages.is_lost then coalesce(deals.loss_reason, 'unknown') end as loss_reason,
        deals.product_line,
        deals.created_at,
        case
            when stages.is_closed
                then coalesce(deals.closed_at, visit_counts.current_stage_entered_at)
        end as closed_at,
        deals.amount as deal_amount,
        deals.amount_currency as deal_currency,
        coalesce(visit_counts.stage_visit_count, 0) as stage_visit_count,
        follow_ups.first_follow_up_at,
        deals.source_system
    from deals
    left join stages
        on deals.stage_id = stages.stage_id
    left join companies
        on deals.company_id = companies.company_id
    left join visit_counts
        on deals.deal_id = visit_counts.deal_id
    left join follow_ups
        on deals.deal_id = follow_ups.deal_id
    where not deals.is_deleted
),

dated as (
    select
        classified.*,
        cast(classified.created_at as date) as created_date,
        cast(classified.closed_at as date) as closed_date,
        coalesce(cast(classified.closed_at as date), data_date.data_date) as credited_date
    from classified
    cross join data_date
),

credited_teams as (
    {{ assign_teams_on_date('dated', ['deal_id'], 'rep_id', 'credited_date') }}
),

final as (
    select
        dated.deal_id,
        dated.deal_name,
        dated.pipeline_id,
        dated.pipeline_label,
        dated.stage_id,
        dated.stage_label,
        dated.deal_status,
        dated.is_closed,
        dated.is_won,
        dated.rep_id,
        credited_teams.team_id,
        credited_teams.region_id,
        dated.company_id,
        dated.customer_id,
        dated.lead_source,
        dated.loss_reason,
        dated.created_at,
        dated.created_date,
        dated.closed_at,
        dated.closed_date,
        cast(
            case
                when dated.closed_date is not null
                    then {{ day_diff('dated.created_date', 'dated.closed_date') }}
            end as integer
        ) as cycle_days,
        cast(dated.deal_amount as numeric(18, 2)) as deal_amount,
        dated.deal_currency,
        cast('{{ var("reporting_currency") }}' as {{ dbt.type_string() }}) as reporting_currency,
        cast(fx_rates.fx_rate as numeric(18, 8)) as fx_rate,
        cast(round(dated.deal_amount * fx_rates.fx_rate, 2) as numeric(18, 2))
            as deal_reporting_amount,
        cast(dated.stage_visit_count as integer) as stage_visit_count,
        dated.first_follow_up_at,
        cast(
            {{ hours_between('dated.created_at', 'dated.first_follow_up_at') }} as numeric(10, 2)
        ) as follow_up_hours,
        coalesce(
            {{ hours_between('dated.created_at', 'dated.first_follow_up_at') }}
            <= {{ var('follow_up_sla_hours') }},
            false
        ) as is_followed_up_in_time,
        dated.source_system,
        dated.product_line
    from dated
    left join credited_teams
        on dated.deal_id = credited_teams.deal_id
    left join fx_rates
        on
            dated.deal_currency = fx_rates.currency
            and coalesce(dated.closed_date, dated.created_date) = fx_rates.rate_date
)

select * from final
