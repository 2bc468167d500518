{#-
    Every line a rep is paid, closed periods exactly as frozen and open periods as computed now
    (with corrections to closed periods, accepted disputes, draws and recoveries, and the
    counter-lines of holds). Each traces to a source transaction (order line, refund, rep-period,
    activity aggregate or dispute) and a plan rule, and carries the team of the rep's month
    (`int_rep_periods_teamed`), which team subtotals, approvals and accruals all follow.
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

rep_period_teams as (
    select * from {{ ref('int_rep_periods_teamed') }}
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

{#- The team is read, not frozen, for closed lines too: approvals of any month see one rule. #}
{%- for lines in ['closed_lines', 'keyed_open_lines'] %}

{{ lines }}_teamed as (
    select
        {{ lines }}.*,
        rep_period_teams.team_id
    from {{ lines }}
    left join rep_period_teams
        on
            {{ lines }}.rep_id = rep_period_teams.rep_id
            and {{ lines }}.period_start = rep_period_teams.period_start
),
{%- endfor %}

{{ closed_union_open(
    closed_rows='closed_lines_teamed',
    open_rows='keyed_open_lines_teamed',
    closed_values={'is_closed': 'true'},
    open_values={'is_closed': 'false'},
) }}

select * from final
