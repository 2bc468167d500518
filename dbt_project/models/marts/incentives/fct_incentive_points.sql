{#- Process and growth points by rep, period and reason; closed periods as frozen. -#}
{%- set point_columns = [
    'rep_id', 'period_start', 'reason', 'plan_id', 'plan_version', 'metric_value', 'threshold',
    'points',
] %}

with

earned_points as (
    select * from {{ ref('int_incentive_points_earned') }}
),

closed_points as (
    select * from {{ ref('stg_incentives_closed__incentive_points') }}
),

periods as (
    select * from {{ ref('int_incentive_periods_spanned') }}
),

open_points as (
    select earned_points.*
    from earned_points
    inner join periods
        on earned_points.period_start = periods.period_start
    where not periods.is_closed
),

all_points as (
    select
        {{ point_columns | join(',\n        ') }},
        true as is_closed
    from closed_points
    union all
    select
        {{ point_columns | join(',\n        ') }},
        false as is_closed
    from open_points
),

final as (
    select
        cast(rep_id as text) as rep_id,
        cast(period_start as date) as period_start,
        cast(reason as text) as reason,
        cast(plan_id as text) as plan_id,
        cast(plan_version as integer) as plan_version,
        cast(metric_value as integer) as metric_value,
        cast(threshold as integer) as threshold,
        cast(points as integer) as points,
        is_closed
    from all_points
)

select * from final
