{#-
    Every line a rep is paid, closed periods exactly as frozen and open periods as computed now
    (with corrections to closed periods, draws and recoveries). Each traces to a source
    transaction (order line, refund, rep-period or activity aggregate) and a plan rule.
-#}
{%- set line_columns = [
    'commission_line_id', 'rep_id', 'period_start', 'source_type', 'source_id', 'source_date',
    'plan_id', 'plan_version', 'rule', 'payout_component', 'basis_amount', 'rate', 'amount',
    'amount_currency', 'adjusts_period_start',
] %}
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

all_lines as (
    select
        {{ line_columns | join(',\n        ') }},
        true as is_closed
    from closed_lines
    union all
    select
        {{ line_columns | join(',\n        ') }},
        false as is_closed
    from keyed_open_lines
),

final as (
    select
        cast(commission_line_id as text) as commission_line_id,
        cast(rep_id as text) as rep_id,
        cast(period_start as date) as period_start,
        cast(source_type as text) as source_type,
        cast(source_id as text) as source_id,
        cast(source_date as date) as source_date,
        cast(plan_id as text) as plan_id,
        cast(plan_version as integer) as plan_version,
        cast(rule as text) as rule,
        cast(payout_component as text) as payout_component,
        cast(basis_amount as numeric(18, 2)) as basis_amount,
        cast(rate as numeric(12, 6)) as rate,
        cast(amount as numeric(18, 2)) as amount,
        cast(amount_currency as text) as amount_currency,
        cast(adjusts_period_start as date) as adjusts_period_start,
        is_closed
    from all_lines
)

select * from final
