with

deals as (
    select * from {{ ref('int_deals_enriched') }}
),

grid as (
    select * from {{ ref('int_scope_months_gridded') }}
),

months as (
    select distinct
        month_start,
        as_of_date
    from grid
),

{#
    The open pipeline at a month's end (or the data date): deals created by then and not yet
    closed. A deal adds its amount to its rep's open pipeline in the month it is created and takes
    it away in the month it closes (a deal closed before it was created is never open), so a
    running sum per rep gives the open pipeline of every month, credited to the rep's team of
    that day.
#}
deal_changes as (
    select
        rep_id,
        {{ month_start('created_date') }} as month_start,
        deal_reporting_amount as amount_change
    from deals
    where created_date is not null and (closed_date is null or closed_date > created_date)
    union all
    select
        rep_id,
        {{ month_start('closed_date') }} as month_start,
        -deal_reporting_amount as amount_change
    from deals
    where created_date is not null and closed_date > created_date
),

rep_changes as (
    select
        rep_id,
        month_start,
        sum(amount_change) as amount_change
    from deal_changes
    group by rep_id, month_start
),

rep_running as (
    select
        rep_id,
        month_start,
        sum(amount_change) over (
            partition by rep_id
            order by month_start
            rows between unbounded preceding and current row
        ) as open_pipeline_amount
    from rep_changes
),

{# Each month takes its rep's running sum at the latest change up to it. #}
rep_as_of as (
    select
        months.month_start,
        months.as_of_date,
        rep_running.rep_id,
        rep_running.open_pipeline_amount,
        row_number() over (
            partition by months.month_start, rep_running.rep_id
            order by rep_running.month_start desc
        ) as recency
    from months
    inner join rep_running
        on months.month_start >= rep_running.month_start
),

rep_open_pipeline as (
    select
        month_start,
        as_of_date,
        rep_id,
        open_pipeline_amount
    from rep_as_of
    where recency = 1
),

open_rep_teams as (
    {{ assign_teams_on_date(
        'rep_open_pipeline', ['month_start', 'rep_id'], 'rep_id', 'as_of_date'
    ) }}
),

open_pipeline_credited as (
    select
        rep_open_pipeline.month_start,
        rep_open_pipeline.open_pipeline_amount,
        open_rep_teams.team_id,
        open_rep_teams.region_id
    from rep_open_pipeline
    left join open_rep_teams
        on
            rep_open_pipeline.month_start = open_rep_teams.month_start
            and rep_open_pipeline.rep_id = open_rep_teams.rep_id
),

open_pipeline as (
    {{ aggregate_by_scope(
        'open_pipeline_credited',
        ['company', 'region', 'team'],
        ['month_start'],
        {'open_pipeline_amount': 'sum(open_pipeline_amount)'},
    ) }}
),

final as (
    select * from open_pipeline
)

select * from final
