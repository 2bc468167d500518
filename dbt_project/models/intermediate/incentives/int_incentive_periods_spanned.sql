{#-
    The commission periods (calendar months) from the first month with an incentive event to the
    last, plus the month after the latest closed one so corrections to it always have an open
    period to land in. Bounded by the data, not the clock: the same inputs give the same periods.
    The dbt var `incentives_start_month` (YYYY-MM, null: the first month with an event) is the
    first commission month: nothing before it earns, is clawed back or needs closing, so the
    first close may be that month (a month already closed before it stays a period).
-#}
{%- set start_month = var('incentives_start_month', none) %}
{%- if start_month and not modules.re.match('^[0-9]{4}-(0[1-9]|1[0-2])$', start_month | string) %}
    {{ exceptions.raise_compiler_error(
        "dbt var incentives_start_month is '" ~ start_month ~ "': give a month as YYYY-MM"
        ~ " (e.g. \"2026-01\", quoted) in dbt_project/dbt_project.yml, or null"
    ) }}
{%- endif %}
{%- set months_spanned = dbt.datediff('first_period_start', 'last_period_start', 'month') %}
with

order_credits as (
    select * from {{ ref('int_order_line_credits_split') }}
),

refund_events as (
    select * from {{ ref('int_refund_events_allocated') }}
),

activity as (
    select * from {{ ref('int_rep_months_measured') }}
),

closed_periods as (
    select * from {{ ref('stg_incentives_closed__closed_periods') }}
),

event_months as (
    select cast(date_trunc('month', order_date) as date) as period_start
    from order_credits
    union
    select cast(date_trunc('month', refund_date) as date) as period_start
    from refund_events
    union
    select month_start as period_start
    from activity
    union
    select period_start
    from closed_periods
    union
    select {{ add_months('max(period_start)', 1) }} as period_start
    from closed_periods
),

bounds as (
    select
        {% if start_month -%}
        least(
            greatest(min(period_start), cast('{{ start_month }}-01' as date)),
            (select min(closed_periods.period_start) from closed_periods)
        ) as first_period_start,
        {%- else -%}
        min(period_start) as first_period_start,
        {%- endif %}
        max(period_start) as last_period_start
    from event_months
),

month_offsets as (
    select
        first_period_start,
        {{ integer_series_values(0, 'cast(' ~ months_spanned ~ ' as integer)') }} as month_offset
    from bounds
),

spine as (
    select {{ add_months('first_period_start', 'month_offset') }} as period_start
    from month_offsets
),

final as (
    select
        spine.period_start,
        {{ month_end('spine.period_start') }} as period_end,
        {{ day_diff('spine.period_start', add_months('spine.period_start', 1)) }} as period_days,
        closed_periods.period_start is not null as is_closed,
        closed_periods.closed_at
    from spine
    left join closed_periods
        on spine.period_start = closed_periods.period_start
)

select * from final
