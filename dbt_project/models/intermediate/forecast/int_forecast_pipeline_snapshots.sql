{#-
    The open pipeline as it stood at the end of each forecast day, one row per day x open deal.

    Rules (docs/forecast.md):
    - Forecast days: the last day of every month (the start of the next month's forecast), the
      15th (its middle) and the data date, from the first month a deal was created. Every day would
      multiply the rows by about 15 for no forecast that uses them.
    - Open at the end of day D: created on or before D and not closed on or before D; its stage is
      the stage visit in force at the end of D.
    - The amount is the deal's current amount in the reporting currency: the CRM sources give no
      amount or close-date history, so slippage counts are null (unknown), never 0.
    - Probability: the CRM's stage probability as a ratio (0-1).
    - Forecast category: the CRM gives none, so the stage probability maps to one (vars
      `forecast_commit_probability`, `forecast_best_case_probability`): commit at or above the
      first, best case at or above the second, else pipeline.
    - Expected close date: the CRM gives none for open deals, so the deal is expected to close
      the median won cycle (days from creation to win, of deals won by D) after it was created,
      or `forecast_default_cycle_days` when none was won yet; a deal past that date is expected on
      the day after D (due now).
    - Bands: days in stage by `forecast_age_band_days`, amount by `forecast_size_band_amounts`.
-#}
with

deals as (
    select * from {{ ref('int_deals_enriched') }}
),

stage_visits as (
    select * from {{ ref('int_deal_stage_visits_sequenced') }}
),

stages as (
    select * from {{ ref('int_pipeline_stages_enriched') }}
),

dates as (
    select * from {{ ref('int_dates_described') }}
),

data_date as (
    select * from {{ ref('int_data_date') }}
),

first_month as (
    select {{ month_start('min(created_date)') }} as month_start
    from deals
),

forecast_days as (
    select distinct dates.date_day as snapshot_date
    from dates
    cross join first_month
    cross join data_date
    where
        dates.date_day >= first_month.month_start
        and dates.date_day <= data_date.data_date
        and (dates.date_day = dates.month_end_date or dates.day_of_month = 15)
    union
    select data_date.data_date as snapshot_date
    from data_date
),

won_cycles as (
    select
        forecast_days.snapshot_date,
        {{ median('deals.cycle_days') }} as median_cycle_days
    from forecast_days
    inner join deals
        on forecast_days.snapshot_date >= deals.closed_date and deals.is_won
    group by forecast_days.snapshot_date
),

open_deals as (
    select
        forecast_days.snapshot_date,
        deals.deal_id,
        deals.rep_id,
        deals.created_date,
        deals.closed_date,
        deals.is_won,
        deals.deal_reporting_amount as amount
    from forecast_days
    inner join deals
        on
            forecast_days.snapshot_date >= deals.created_date
            and (deals.closed_date is null or forecast_days.snapshot_date < deals.closed_date)
),

staged as (
    select
        open_deals.*,
        stage_visits.stage_id,
        cast(stage_visits.entered_at as date) as stage_entered_date
    from open_deals
    inner join stage_visits
        on
            open_deals.deal_id = stage_visits.deal_id
            and cast(stage_visits.entered_at as date) <= open_deals.snapshot_date
            and (
                stage_visits.exited_at is null
                or cast(stage_visits.exited_at as date) > open_deals.snapshot_date
            )
),

{# Two visits may start the same day: the later one is the stage at the end of the day. #}
latest_stage as (
    select
        staged.*,
        row_number() over (
            partition by staged.snapshot_date, staged.deal_id
            order by staged.stage_entered_date desc, staged.stage_id desc
        ) as stage_rank
    from staged
),

described as (
    select
        latest_stage.snapshot_date,
        latest_stage.deal_id,
        latest_stage.rep_id,
        latest_stage.stage_id,
        stages.stage_label,
        stages.stage_display_order,
        latest_stage.stage_entered_date,
        {{ day_diff('latest_stage.stage_entered_date', 'latest_stage.snapshot_date') }}
            as days_in_stage,
        latest_stage.created_date,
        latest_stage.amount,
        stages.win_probability as crm_probability,
        {{ add_days(
            'latest_stage.created_date',
            'cast(round(coalesce(won_cycles.median_cycle_days, '
            ~ var('forecast_default_cycle_days') ~ ')) as integer)',
        ) }} as cycle_close_date,
        latest_stage.closed_date,
        latest_stage.is_won
    from latest_stage
    left join stages
        on latest_stage.stage_id = stages.stage_id
    left join won_cycles
        on latest_stage.snapshot_date = won_cycles.snapshot_date
    where latest_stage.stage_rank = 1 and not coalesce(stages.is_closed, false)
),

banded as (
    select
        described.*,
        case
            {% for limit in var('forecast_age_band_days') -%}
            when described.days_in_stage < {{ limit }}
                then '{{ loop.previtem | default(0) }}-{{ limit - 1 }}d'
            {% endfor -%}
            else '{{ var("forecast_age_band_days") | last }}d+'
        end as age_band,
        case
            {% for limit in var('forecast_size_band_amounts') -%}
            when described.amount < {{ limit }}
                then '{{ loop.previtem | default(0) }}-{{ limit }}'
            {% endfor -%}
            else '{{ var("forecast_size_band_amounts") | last }}+'
        end as size_band,
        case
            when described.crm_probability >= {{ var('forecast_commit_probability') }}
                then 'commit'
            when described.crm_probability >= {{ var('forecast_best_case_probability') }}
                then 'best_case'
            else 'pipeline'
        end as forecast_category,
        case
            when described.cycle_close_date > described.snapshot_date
                then described.cycle_close_date
            else {{ add_days('described.snapshot_date', 1) }}
        end as expected_close_date
    from described
),

snapshot_teams as (
    {{ assign_teams_on_date(
        'banded', ['snapshot_date', 'deal_id'], 'rep_id', 'snapshot_date'
    ) }}
),

final as (
    select
        {{ dbt.concat([
            'cast(banded.snapshot_date as ' ~ dbt.type_string() ~ ')', "':'", 'banded.deal_id',
        ]) }} as pipeline_snapshot_id,
        banded.snapshot_date,
        banded.deal_id,
        banded.rep_id,
        snapshot_teams.team_id,
        snapshot_teams.region_id,
        banded.stage_id,
        banded.stage_label,
        banded.stage_display_order,
        banded.stage_entered_date,
        cast(banded.days_in_stage as integer) as days_in_stage,
        banded.age_band,
        banded.created_date,
        cast(banded.amount as numeric(18, 2)) as amount,
        banded.size_band,
        cast(banded.crm_probability as numeric(9, 4)) as crm_probability,
        banded.forecast_category,
        banded.expected_close_date,
        cast(null as integer) as close_date_push_count,
        cast(null as integer) as amount_change_count,
        banded.closed_date,
        banded.is_won
    from banded
    left join snapshot_teams
        on
            banded.snapshot_date = snapshot_teams.snapshot_date
            and banded.deal_id = snapshot_teams.deal_id
)

select * from final
