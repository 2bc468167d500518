{#-
    Every forecast day's forecast of the month and the fiscal quarter it looks ahead to (those of
    the next day), per company, region, team and rep. Rules (docs/forecast.md):
    - closed won: deals won from the period's start up to the forecast day, credited to the team
      of the rep on the close date;
    - open deals due in the period (expected close on or before its last day; see
      int_forecast_pipeline_snapshots), credited to the rep's team on the forecast day:
      the open pipeline, the CRM-weighted pipeline (amount x CRM probability), commit and best case
      amounts by forecast category, and the empirical expectation (amount x empirical probability);
    - expected bookings of deals not yet created (the run rate of new deals x their win rate x
      their average size): every deal created in the trailing `forecast_run_rate_days` and won by
      the forecast day stands for as many deals again, created evenly over the R days left in the
      period; one created on day t of them is won in the period when t + its cycle <= R, so it
      adds amount / forecast_run_rate_days x (R - cycle days) when its cycle is shorter than R;
    - forecasts: CRM-weighted = closed + weighted pipeline; commit = closed + commit; best case =
      closed + commit + best case; empirical = closed + empirical expectation + new deals;
    - the actual: every deal won in the period, once the period has ended by the data date;
    - the target: the scope's revenue target for the period (fct_target_attainment's, the only
      money target); the gap is target - empirical forecast; pipeline coverage is the open
      pipeline due in the period over what is still to win (target - closed won), null when
      nothing is left to win;
    - every amount is summed exact and rounded half away from zero to the cent once, at the end;
      the expected new bookings are summed as amount x (R - cycle days) and divided by
      `forecast_run_rate_days` after the sum, so no share of a cent is lost or rounded twice
      before it (a division per deal would round each quotient, differently on each engine).
-#}
with

scored as (
    select * from {{ ref('int_forecast_deals_scored') }}
),

deals as (
    select * from {{ ref('int_deals_enriched') }}
),

dates as (
    select * from {{ ref('int_dates_described') }}
),

targets as (
    select * from {{ ref('int_targets_attained') }}
    where metric = 'revenue'
),

data_date as (
    select * from {{ ref('int_data_date') }}
),

forecast_days as (
    select distinct snapshot_date
    from scored
),

{# The month and the fiscal quarter each forecast day looks ahead to. #}
periods as (
    select
        forecast_days.snapshot_date,
        'month' as period_type,
        dates.month_start_date as period_start,
        dates.month_end_date as period_end_date
    from forecast_days
    inner join dates
        on dates.date_day = {{ add_days('forecast_days.snapshot_date', 1) }}
    union all
    select
        forecast_days.snapshot_date,
        'quarter' as period_type,
        dates.fiscal_quarter_start_date as period_start,
        {{ add_days(add_months('dates.fiscal_quarter_start_date', 3), -1) }} as period_end_date
    from forecast_days
    inner join dates
        on dates.date_day = {{ add_days('forecast_days.snapshot_date', 1) }}
),

{#
    The months each period spans (a quarter, its three), so a deal won in a period is found by its
    month, an equality join, not by a date range tested for every forecast day and deal.
#}
period_months as (
    {%- for month_offset in range(3) %}
    select
        periods.*,
        {{ add_months('periods.period_start', month_offset) }} as period_month
    from periods
    where {% if month_offset == 0 %}true{% else %}periods.period_type = 'quarter'{% endif %}
    {%- if not loop.last %}
    union all
    {%- endif %}
    {%- endfor %}
),

won_deals as (
    select
        deals.*,
        {{ month_start('deals.closed_date') }} as closed_month
    from deals
    where deals.is_won
),

{#
    Every deal won in the period counts as closed won once won by the forecast day; the later
    ones add nothing but still give their scope a row, so a forecast of nothing is scored too.
#}
closed_won as (
    select
        {{ forecast_contribution('won_deals', {
            'closed_won_amount':
                'case when won_deals.closed_date <= periods.snapshot_date'
                ~ ' then won_deals.deal_reporting_amount else 0 end',
            'period_won_amount': 'won_deals.deal_reporting_amount',
        }) }}
    from period_months as periods
    inner join won_deals
        on periods.period_month = won_deals.closed_month
),

open_due as (
    select
        {{ forecast_contribution('scored', {
            'open_pipeline_amount': 'scored.amount',
            'weighted_pipeline_amount': 'scored.amount * scored.crm_probability',
            'commit_amount':
                "case when scored.forecast_category = 'commit' then scored.amount else 0 end",
            'best_case_amount':
                "case when scored.forecast_category = 'best_case' then scored.amount else 0 end",
            'empirical_open_amount': 'scored.amount * scored.empirical_probability',
        }) }}
    from periods
    inner join scored
        on
            periods.snapshot_date = scored.snapshot_date
            and periods.period_end_date >= scored.expected_close_date
),

new_deals as (
    select
        {{ forecast_contribution('won_deals', {
            'expected_new_amount':
                'won_deals.deal_reporting_amount * ('
                ~ day_diff('periods.snapshot_date', 'periods.period_end_date')
                ~ ' - won_deals.cycle_days)',
        }) }}
    from periods
    inner join won_deals
        on
            periods.snapshot_date >= won_deals.closed_date
            and {{ add_days('periods.snapshot_date', -var('forecast_run_rate_days')) }}
            < won_deals.created_date
            and {{ add_days('periods.snapshot_date', 'won_deals.cycle_days') }}
            < periods.period_end_date
),

contributions as (
    select * from closed_won
    union all
    select * from open_due
    union all
    select * from new_deals
),

{#
    Summed per rep, team and region first: each scope below adds up these few rows rather than
    every contribution again. The sums are exact, so summing them in two steps changes nothing.
#}
rep_contributions as (
    select
        snapshot_date,
        period_type,
        period_start,
        period_end_date,
        rep_id,
        team_id,
        region_id,
        {%- for name in forecast_measure_names() %}
        sum({{ name }}) as {{ name }}{% if not loop.last %},{% endif %}
        {%- endfor %}
    from contributions
    group by
        snapshot_date, period_type, period_start, period_end_date, rep_id, team_id, region_id
),

scoped as (
    {{ aggregate_by_scope(
        'rep_contributions',
        ['company', 'region', 'team', 'rep'],
        ['snapshot_date', 'period_type', 'period_start', 'period_end_date'],
        {
            'closed_won_amount': 'sum(closed_won_amount)',
            'open_pipeline_amount': 'sum(open_pipeline_amount)',
            'weighted_pipeline_amount': 'sum(weighted_pipeline_amount)',
            'commit_amount': 'sum(commit_amount)',
            'best_case_amount': 'sum(best_case_amount)',
            'empirical_open_amount': 'sum(empirical_open_amount)',
            'expected_new_amount': 'sum(expected_new_amount)',
            'period_won_amount': 'sum(period_won_amount)',
        },
    ) }}
),

rounded as (
    select
        scope_type,
        scope_id,
        snapshot_date,
        period_type,
        period_start,
        period_end_date,
        {{ money_round('closed_won_amount') }} as closed_won_amount,
        {{ money_round('open_pipeline_amount') }} as open_pipeline_amount,
        {{ money_round('weighted_pipeline_amount') }} as weighted_pipeline_amount,
        {{ money_round('commit_amount') }} as commit_amount,
        {{ money_round('best_case_amount') }} as best_case_amount,
        {{ money_round('empirical_open_amount') }} as empirical_open_amount,
        {{ money_round(
            'expected_new_amount / ' ~ var('forecast_run_rate_days')
        ) }} as expected_new_amount,
        {{ money_round('period_won_amount') }} as period_won_amount
    from scoped
),

forecasts as (
    select
        {{ dbt.concat([
            'scope_type', "':'", 'scope_id', "':'", 'period_type', "':'",
            'cast(period_start as ' ~ dbt.type_string() ~ ')', "':'",
            'cast(snapshot_date as ' ~ dbt.type_string() ~ ')',
        ]) }} as forecast_id,
        scope_type,
        scope_id,
        period_type,
        period_start,
        period_end_date,
        snapshot_date as forecast_date,
        case
            when snapshot_date = {{ add_days('period_start', -1) }} then 'start'
            when
                period_type = 'month'
                and snapshot_date = {{ add_days('period_start', 14) }}
                then 'mid'
            when
                period_type = 'quarter'
                and snapshot_date = {{ add_days(add_months('period_start', 1), 14) }}
                then 'mid'
            else 'other'
        end as forecast_point,
        closed_won_amount,
        open_pipeline_amount,
        weighted_pipeline_amount,
        commit_amount,
        best_case_amount,
        empirical_open_amount,
        expected_new_amount,
        cast(closed_won_amount + weighted_pipeline_amount as numeric(18, 2))
            as crm_weighted_forecast_amount,
        cast(closed_won_amount + commit_amount as numeric(18, 2)) as commit_forecast_amount,
        cast(closed_won_amount + commit_amount + best_case_amount as numeric(18, 2))
            as best_case_forecast_amount,
        cast(closed_won_amount + empirical_open_amount + expected_new_amount as numeric(18, 2))
            as empirical_forecast_amount,
        period_won_amount
    from rounded
),

final as (
    select
        forecasts.forecast_id,
        forecasts.scope_type,
        forecasts.scope_id,
        forecasts.period_type,
        forecasts.period_start,
        forecasts.period_end_date,
        forecasts.forecast_date,
        forecasts.forecast_point,
        forecasts.closed_won_amount,
        forecasts.open_pipeline_amount,
        forecasts.weighted_pipeline_amount,
        forecasts.commit_amount,
        forecasts.best_case_amount,
        forecasts.empirical_open_amount,
        forecasts.expected_new_amount,
        forecasts.crm_weighted_forecast_amount,
        forecasts.commit_forecast_amount,
        forecasts.best_case_forecast_amount,
        forecasts.empirical_forecast_amount,
        case
            when forecasts.period_end_date <= data_date.data_date
                then forecasts.period_won_amount
        end as actual_amount,
        forecasts.period_end_date <= data_date.data_date as is_period_ended,
        cast(targets.target_amount as numeric(18, 2)) as target_amount,
        cast(targets.target_amount - forecasts.empirical_forecast_amount as numeric(18, 2))
            as gap_to_target_amount,
        cast(case
            when targets.target_amount > forecasts.closed_won_amount
                then round(
                    forecasts.open_pipeline_amount
                    / (targets.target_amount - forecasts.closed_won_amount),
                    4
                )
        end as numeric(12, 4)) as pipeline_coverage
    from forecasts
    cross join data_date
    left join targets
        on
            forecasts.scope_type = targets.scope_type
            and forecasts.scope_id = targets.scope_id
            and forecasts.period_type = targets.period_type
            and forecasts.period_start = targets.period_start
)

select * from final
