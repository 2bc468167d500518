{#- Process and growth points by rep, period and reason; closed periods as frozen. -#}

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

{{ closed_union_open(
    closed_rows='closed_points',
    open_rows='open_points',
    closed_values={'is_closed': 'true'},
    open_values={'is_closed': 'false'},
) }}

select * from final
