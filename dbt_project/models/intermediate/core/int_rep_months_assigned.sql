{#-
    One row per rep and calendar month they were employed in (hire month to leave month, or to the
    data date), with the team the month is credited to: the assignment in force on the month's
    first day, or for a rep who joins mid-month the first assignment that starts in it.
-#}
with

assignments as (
    select * from {{ ref('int_rep_assignments_joined') }}
),

calendar as (
    select * from {{ ref('int_calendar_days') }}
),

data_date as (
    select * from {{ ref('int_data_date') }}
),

months as (
    select date_day as month_start
    from calendar
    where date_day = {{ month_start('date_day') }}
),

rep_spans as (
    select
        rep_id,
        min(coalesce(hire_date, valid_from)) as first_day,
        max(leave_date) as leave_date
    from assignments
    group by rep_id
),

rep_months as (
    select
        rep_spans.rep_id,
        months.month_start
    from rep_spans
    cross join data_date
    inner join months
        on
            months.month_start >= {{ month_start('rep_spans.first_day') }}
            and data_date.data_date >= months.month_start
            and (rep_spans.leave_date is null or rep_spans.leave_date >= months.month_start)
),

overlapping as (
    select
        rep_months.rep_id,
        rep_months.month_start,
        assignments.team_id,
        assignments.region_id,
        row_number() over (
            partition by rep_months.rep_id, rep_months.month_start
            order by assignments.valid_from
        ) as assignment_rank
    from rep_months
    inner join assignments
        on
            rep_months.rep_id = assignments.rep_id
            and assignments.valid_from < {{ add_months('rep_months.month_start', 1) }}
            and (assignments.valid_to is null or rep_months.month_start < assignments.valid_to)
),

final as (
    select
        rep_months.rep_id,
        rep_months.month_start,
        overlapping.team_id,
        overlapping.region_id
    from rep_months
    left join overlapping
        on
            rep_months.rep_id = overlapping.rep_id
            and rep_months.month_start = overlapping.month_start
            and overlapping.assignment_rank = 1
)

select * from final
