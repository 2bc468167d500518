{#-
    Process and growth points: a rep whose visits (or trainings) in the month reach the plan's
    threshold earns the plan's points for that reason, once per period, and with
    `points_per_extra` that many more for each visit (or training) above the threshold. Every
    rep-period whose
    plan has the rule gets a row, with 0 points below the threshold, so a rep sees how far off
    the threshold they are.
-#}
with

rep_periods as (
    select * from {{ ref('int_rep_periods_planned') }}
),

activity as (
    select * from {{ ref('int_rep_months_measured') }}
),

measured as (
    select
        rep_periods.rep_id,
        rep_periods.period_start,
        rep_periods.plan_id,
        rep_periods.plan_version,
        rep_periods.visits_threshold,
        rep_periods.visits_points,
        rep_periods.visits_points_per_extra,
        rep_periods.trainings_threshold,
        rep_periods.trainings_points,
        rep_periods.trainings_points_per_extra,
        coalesce(activity.visit_count, 0) as visit_count,
        coalesce(activity.training_count, 0) as training_count
    from rep_periods
    left join activity
        on
            rep_periods.rep_id = activity.rep_id
            and rep_periods.period_start = activity.month_start
),

visit_points as (
    select
        rep_id,
        period_start,
        'visits' as reason,
        plan_id,
        plan_version,
        visit_count as metric_value,
        visits_threshold as threshold,
        case
            when visit_count >= visits_threshold
                then
                    visits_points
                    + coalesce(visits_points_per_extra, 0) * (visit_count - visits_threshold)
            else 0
        end as points
    from measured
    where visits_threshold is not null
),

training_points as (
    select
        rep_id,
        period_start,
        'trainings' as reason,
        plan_id,
        plan_version,
        training_count as metric_value,
        trainings_threshold as threshold,
        case
            when training_count >= trainings_threshold
                then
                    trainings_points
                    + coalesce(trainings_points_per_extra, 0)
                    * (training_count - trainings_threshold)
            else 0
        end as points
    from measured
    where trainings_threshold is not null
),

final as (
    select * from visit_points
    union all
    select * from training_points
)

select * from final
