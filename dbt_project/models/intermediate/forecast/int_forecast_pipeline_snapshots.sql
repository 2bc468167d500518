{#-
    The open pipeline as it stood at the end of each forecast day, one row per day x open deal.

    Rules (docs/forecast.md):
    - Forecast days: the last day of every month (the start of the next month's forecast), the
      15th (its middle) and the data date, from the first month a deal was created. Every day would
      multiply the rows by about 15 for no forecast that uses them.
    - Open at the end of day D: created on or before D and not closed on or before D; its stage is
      the stage visit in force at the end of D.
    - Amount and close date as of D (int_crm_deal_property_changes_unioned): the last recorded
      value changed on or before D, the amount converted at the deal's own rate (its `fx_rate`,
      so only the CRM's changes move it). A deal with no recorded amount (a CRM keeping no
      property history: the export files) keeps its current amount, and its close date is
      unknown. Never the current values for a past day when the history knows better: that
      flattered the backtest.
    - Slippage, counted over the changes made on or before D (a value the deal was created with
      is no change): a close-date push moves the close date later, a pull earlier; an amount
      change is any change of the amount; `first_amount` is the amount the deal was created with.
      Null (unknown) for a deal with no recorded history, never 0.
    - Probability: the CRM's stage probability as a ratio (0-1).
    - Forecast category: the CRM gives none, so the stage probability maps to one (vars
      `forecast_commit_probability`, `forecast_best_case_probability`): commit at or above the
      first, best case at or above the second, else pipeline.
    - Expected close date: the CRM's close date as of D (`crm_close_date`), the day after D when
      that has passed (due now). Without one, the deal is expected to close the median won cycle (days from creation to win, of deals won by D) after it was created,
      or `forecast_default_cycle_days` when none was won yet; a deal past that date is expected on
      the day after D (due now).
    - Bands: days in stage by `forecast_age_band_days`, amount by `forecast_size_band_amounts`.
-#}
with

{# Read by three readers, each with its own filter (won deals, deals open on a day). #}
deals as {{ cte_inlined() }} (
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

property_changes as (
    select * from {{ ref('int_crm_deal_property_changes_unioned') }}
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

won_deals as (
    select
        closed_date,
        cycle_days
    from deals
    where is_won
),

won_cycles as (
    select
        forecast_days.snapshot_date,
        {{ median('won_deals.cycle_days') }} as median_cycle_days
    from forecast_days
    inner join won_deals
        on forecast_days.snapshot_date >= won_deals.closed_date
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
        deals.fx_rate,
        deals.deal_reporting_amount as current_amount
    from forecast_days
    inner join deals
        on
            forecast_days.snapshot_date >= deals.created_date
            and (deals.closed_date is null or forecast_days.snapshot_date < deals.closed_date)
),

changes_by_day as (
    select
        open_deals.snapshot_date,
        open_deals.deal_id,
        property_changes.property_name,
        property_changes.new_value,
        property_changes.old_value,
        row_number() over (
            partition by
                open_deals.snapshot_date, open_deals.deal_id, property_changes.property_name
            order by property_changes.changed_at desc
        ) as latest_rank,
        row_number() over (
            partition by
                open_deals.snapshot_date, open_deals.deal_id, property_changes.property_name
            order by property_changes.changed_at asc
        ) as earliest_rank
    from open_deals
    inner join property_changes
        on
            open_deals.deal_id = property_changes.deal_id
            and cast(property_changes.changed_at as date) <= open_deals.snapshot_date
),

{# One row per day x deal: the values in force at the end of the day and the changes so far. #}
as_of_values as (
    select
        snapshot_date,
        deal_id,
        max(
            case when property_name = 'amount' and latest_rank = 1 then new_value end
        ) as amount_value,
        max(
            case
                when property_name = 'amount' and earliest_rank = 1
                    then coalesce(old_value, new_value)
            end
        ) as first_amount_value,
        max(
            case when property_name = 'close_date' and latest_rank = 1 then new_value end
        ) as close_date_value,
        sum(case when property_name = 'amount' then 1 else 0 end) as amount_version_count,
        sum(case when property_name = 'close_date' then 1 else 0 end) as close_date_version_count,
        sum(
            case
                when
                    property_name = 'amount'
                    and old_value is not null
                    and new_value is distinct from old_value
                    then 1
                else 0
            end
        ) as amount_change_count,
        sum(
            case
                when
                    property_name = 'close_date'
                    and cast(new_value as date) > cast(old_value as date)
                    then 1
                else 0
            end
        ) as close_date_push_count,
        sum(
            case
                when
                    property_name = 'close_date'
                    and cast(new_value as date) < cast(old_value as date)
                    then 1
                else 0
            end
        ) as close_date_pull_count
    from changes_by_day
    group by snapshot_date, deal_id
),

valued as (
    select
        open_deals.snapshot_date,
        open_deals.deal_id,
        open_deals.rep_id,
        open_deals.created_date,
        open_deals.closed_date,
        open_deals.is_won,
        case
            when coalesce(as_of_values.amount_version_count, 0) = 0
                then open_deals.current_amount
            else round(cast(as_of_values.amount_value as numeric(18, 2)) * open_deals.fx_rate, 2)
        end as amount,
        case
            when coalesce(as_of_values.amount_version_count, 0) = 0
                then open_deals.current_amount
            else
                round(
                    cast(as_of_values.first_amount_value as numeric(18, 2)) * open_deals.fx_rate, 2
                )
        end as first_amount,
        cast(as_of_values.close_date_value as date) as crm_close_date,
        case
            when as_of_values.amount_version_count > 0 then as_of_values.amount_change_count
        end as amount_change_count,
        case
            when as_of_values.close_date_version_count > 0
                then as_of_values.close_date_push_count
        end as close_date_push_count,
        case
            when as_of_values.close_date_version_count > 0
                then as_of_values.close_date_pull_count
        end as close_date_pull_count
    from open_deals
    left join as_of_values
        on
            open_deals.snapshot_date = as_of_values.snapshot_date
            and open_deals.deal_id = as_of_values.deal_id
),

staged as (
    select
        valued.*,
        stage_visits.stage_id,
        cast(stage_visits.entered_at as date) as stage_entered_date
    from valued
    inner join stage_visits
        on
            valued.deal_id = stage_visits.deal_id
            and cast(stage_visits.entered_at as date) <= valued.snapshot_date
            and (
                stage_visits.exited_at is null
                or cast(stage_visits.exited_at as date) > valued.snapshot_date
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
        latest_stage.first_amount,
        latest_stage.crm_close_date,
        latest_stage.amount_change_count,
        latest_stage.close_date_push_count,
        latest_stage.close_date_pull_count,
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
            when
                coalesce(described.crm_close_date, described.cycle_close_date)
                > described.snapshot_date
                then coalesce(described.crm_close_date, described.cycle_close_date)
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
        cast(banded.first_amount as numeric(18, 2)) as first_amount,
        banded.size_band,
        cast(banded.crm_probability as numeric(9, 4)) as crm_probability,
        banded.forecast_category,
        banded.crm_close_date,
        banded.expected_close_date,
        cast(banded.close_date_push_count as integer) as close_date_push_count,
        cast(banded.close_date_pull_count as integer) as close_date_pull_count,
        cast(banded.amount_change_count as integer) as amount_change_count,
        banded.closed_date,
        banded.is_won
    from banded
    left join snapshot_teams
        on
            banded.snapshot_date = snapshot_teams.snapshot_date
            and banded.deal_id = snapshot_teams.deal_id
)

select * from final
