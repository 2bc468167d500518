{#-
    Every line a rep is paid, closed periods exactly as frozen and open periods as computed now
    (with corrections to closed periods, accepted disputes, draws and recoveries, and the
    counter-lines of holds). Each traces to a source transaction (order line, refund, rep-period,
    activity aggregate or dispute) and a plan rule.
-#}
{%- set line_key = ['rep_id', 'period_start', 'source_type', 'source_id', 'rule'] %}

with

payable_lines as (
    select * from {{ ref('int_commission_lines_payable') }}
),

held_lines as (
    select * from {{ ref('int_commission_lines_held') }}
),

closed_lines as (
    select * from {{ ref('stg_incentives_closed__commission_lines') }}
),

open_lines as (
    select * from payable_lines
    union all
    select * from held_lines
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
