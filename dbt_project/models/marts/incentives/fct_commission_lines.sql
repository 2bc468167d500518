{#-
    Every line a rep is paid, closed periods exactly as frozen and open periods as computed now
    (with corrections to closed periods, accepted disputes, draws and recoveries, and the
    counter-lines of holds). Each traces to a source transaction (order line, refund, rep-period,
    activity aggregate or dispute) and a plan rule, and carries the team of the rep's month
    (`int_rep_periods_teamed`), which team subtotals, approvals and accruals all follow.

    Incremental by period (delete+insert on `period_start`) on PostgreSQL. The open periods are
    written again on every run (the pre-hook deletes them first, with any closed period the store
    no longer lists). A closed period is copied from the store again only when one of its
    rep-months differs from the built rows: its count of lines, its total amount or its team (a
    month just closed, an org file moving a rep's closed month to another team). The store only
    ever gains whole months (the close job; nothing rewrites them), so an unchanged closed month
    (2.4 million lines at bench scale L) is not copied every run; an edit by hand to a stored
    line that keeps its rep-month's count and total needs a `--full-refresh` of this model.
-#}
{{
    config(
        materialized=incremental_materialization(),
        unique_key='period_start',
        incremental_strategy='delete+insert',
        pre_hook=[
            "{% if is_incremental() %}delete from {{ this }} where not is_closed"
            ~ " or period_start not in (select closed.period_start"
            ~ " from {{ source('incentives_closed', 'closed_periods') }} as closed){% endif %}",
        ],
    )
}}
{%- set line_key = ['rep_id', 'period_start', 'source_type', 'source_id', 'rule'] %}

with

payable_lines as (
    select * from {{ ref('int_commission_lines_payable') }}
),

held_lines as (
    select * from {{ ref('int_commission_lines_held') }}
),

{# Read twice on an incremental run: per rep-month, and the lines of the months copied. #}
stored_lines as {{ cte_inlined() }} (
    select * from {{ ref('stg_incentives_closed__commission_lines') }}
),

rep_period_teams as {{ cte_inlined() }} (
    select * from {{ ref('int_rep_periods_teamed') }}
),
{% if is_incremental() %}
{# Each closed rep-month as the store and the org give it now, and as built. #}
stored_rep_months as (
    select
        frozen.period_start,
        frozen.rep_id,
        rep_period_teams.team_id,
        frozen.line_count,
        frozen.total_amount
    from (
        select
            period_start,
            rep_id,
            count(*) as line_count,
            sum(amount) as total_amount
        from stored_lines
        group by period_start, rep_id
    ) as frozen
    left join rep_period_teams
        on
            frozen.rep_id = rep_period_teams.rep_id
            and frozen.period_start = rep_period_teams.period_start
),

{# After the pre-hook, the built rows are those of closed periods only. #}
built_rep_months as (
    select
        period_start,
        rep_id,
        team_id,
        count(*) as line_count,
        sum(amount) as total_amount
    from {{ this }}
    group by period_start, rep_id, team_id
),

rewritten_closed_periods as (
    select distinct coalesce(frozen.period_start, built.period_start) as period_start
    from stored_rep_months as frozen
    full outer join built_rep_months as built
        on
            frozen.period_start = built.period_start
            and frozen.rep_id = built.rep_id
    where
        frozen.rep_id is null
        or built.rep_id is null
        or frozen.team_id is distinct from built.team_id
        or frozen.line_count != built.line_count
        or frozen.total_amount != built.total_amount
),
{% endif %}
closed_lines as (
    select stored_lines.*
    from stored_lines
    {% if is_incremental() -%}
    where
        stored_lines.period_start in (
            select rewritten_closed_periods.period_start from rewritten_closed_periods
        )
    {%- endif %}
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
