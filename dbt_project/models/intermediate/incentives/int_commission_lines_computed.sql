{#-
    Every commission line the current data and plans give, for every period, closed or not: the
    closed ones are compared with what was frozen (int_commission_lines_adjusted); the open ones
    are paid. Draws and recoveries come later, on top of these.
-#}
with

revenue_lines as (
    select * from {{ ref('int_commission_lines_revenue') }}
),

clawback_lines as (
    select * from {{ ref('int_commission_lines_clawed_back') }}
),

period_lines as (
    select * from {{ ref('int_commission_lines_period') }}
),

unioned as (
    select
        rep_id,
        period_start,
        source_type,
        source_id,
        source_date,
        plan_id,
        plan_version,
        rule,
        payout_component,
        basis_amount,
        rate,
        amount,
        amount_currency
    from revenue_lines
    {#- a month's marker row, kept for its hash (int_commission_lines_revenue) #}
    where source_type is not null
    union all
    select * from clawback_lines
    union all
    select * from period_lines
),

final as (
    select * from unioned
)

select * from final
