{#-
    Every line of the open periods before holds: the lines computed for them, corrections to
    closed periods, accepted disputes, and the draws and recoveries on top of them. Holds then
    withhold some of these (int_commission_lines_held); fct_commission_lines adds the closed
    periods as frozen.
-#}
with

computed_lines as (
    select * from {{ ref('int_commission_lines_computed') }}
),

adjustment_lines as (
    select * from {{ ref('int_commission_lines_adjusted') }}
),

disputed_lines as (
    select * from {{ ref('int_commission_lines_disputed') }}
),

draw_lines as (
    select * from {{ ref('int_commission_lines_drawn') }}
),

periods as (
    select * from {{ ref('int_incentive_periods_spanned') }}
),

open_computed_lines as (
    select
        computed_lines.*,
        cast(null as date) as adjusts_period_start
    from computed_lines
    inner join periods
        on computed_lines.period_start = periods.period_start
    where not periods.is_closed
),

open_draw_lines as (
    select
        draw_lines.*,
        cast(null as date) as adjusts_period_start
    from draw_lines
),

rule_lines as (
    select * from open_computed_lines
    union all
    select * from adjustment_lines
    union all
    select * from open_draw_lines
),

untraced_to_disputes as (
    select
        rule_lines.*,
        cast(null as bigint) as dispute_id,
        cast(null as {{ dbt.type_string() }}) as adjustment_reason,
        cast(null as {{ dbt.type_string() }}) as approved_by,
        cast(null as {{ type_timestamp_tz() }}) as approved_at
    from rule_lines
),

unioned as (
    select * from untraced_to_disputes
    union all
    select * from disputed_lines
),

final as (
    select
        unioned.*,
        cast(null as bigint) as hold_id
    from unioned
)

select * from final
