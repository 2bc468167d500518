{#
    The funnel accounts for every deal: as many deals start in it as `fct_deals` holds, as many
    reach a won stage as are won, for the same won amount in the reporting currency. Returns a row
    only when a total differs.
#}
with

deals as (
    select * from {{ ref('fct_deals') }}
),

funnel as (
    select * from {{ ref('fct_funnel_stages') }}
),

deal_totals as (
    select
        count(*) as deal_count,
        sum(case when is_won then 1 else 0 end) as won_count,
        sum(case when is_won then deal_reporting_amount else 0 end) as won_amount
    from deals
),

funnel_totals as (
    select
        sum(deals_created) as deal_count,
        sum(case when is_won_stage then deals_entered else 0 end) as won_count,
        sum(case when is_won_stage then won_amount else 0 end) as won_amount
    from funnel
),

final as (
    select
        deal_totals.deal_count,
        funnel_totals.deal_count as funnel_deal_count,
        deal_totals.won_count,
        funnel_totals.won_count as funnel_won_count,
        deal_totals.won_amount,
        funnel_totals.won_amount as funnel_won_amount
    from deal_totals
    cross join funnel_totals
    where
        deal_totals.deal_count != coalesce(funnel_totals.deal_count, 0)
        or deal_totals.won_count != coalesce(funnel_totals.won_count, 0)
        or coalesce(deal_totals.won_amount, 0) != coalesce(funnel_totals.won_amount, 0)
)

select * from final
