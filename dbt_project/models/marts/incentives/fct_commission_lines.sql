{#-
    Every line a rep is paid, closed periods exactly as frozen and open periods as computed now
    (with corrections to closed periods, draws and recoveries). Each traces to a source
    transaction (order line, refund, rep-period or activity aggregate) and a plan rule.
-#}
{%- set line_key = ['rep_id', 'period_start', 'source_type', 'source_id', 'rule'] %}

with

computed_lines as (
    select * from {{ ref('int_commission_lines_computed') }}
),

adjustment_lines as (
    select * from {{ ref('int_commission_lines_adjusted') }}
),

draw_lines as (
    select * from {{ ref('int_commission_lines_drawn') }}
),

closed_lines as (
    select * from {{ ref('stg_incentives_closed__commission_lines') }}
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

open_lines as (
    select * from open_computed_lines
    union all
    select * from adjustment_lines
    union all
    select * from open_draw_lines
),

keyed_open_lines as (
    select
        {{ surrogate_key(line_key) }} as commission_line_id,
        open_lines.*
    from open_lines
),

{{ closed_union_open(
    closed_rows='closed_lines',
    open_rows='keyed_open_lines',
    closed_values={'is_closed': 'true'},
    open_values={'is_closed': 'false'},
) }}

select * from final
