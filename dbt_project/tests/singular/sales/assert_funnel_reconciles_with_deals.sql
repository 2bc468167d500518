{#
    The funnel accounts for every deal: per pipeline, rep and lead source, as many deals start in it
    as `fct_deals` holds, as many reach a won stage as are won, for the same won amount in the
    reporting currency. A failing group is returned with its expected (`fct_deals`) and actual
    (funnel) figures and up to five of its deals and their source systems, so the failure names
    where to look; the 20 groups that differ most come first. `store_failures` (dbt_project.yml)
    keeps them in the `dbt_test__audit` schema for the data engineer.
#}
with

deals as (
    select * from {{ ref('fct_deals') }}
),

funnel as (
    select * from {{ ref('fct_funnel_stages') }}
),

deal_groups as (
    select
        pipeline_id,
        coalesce(rep_id, '') as rep_key,
        lead_source,
        count(*) as deal_count,
        sum(case when is_won then 1 else 0 end) as won_count,
        coalesce(sum(case when is_won then deal_reporting_amount else 0 end), 0) as won_amount,
        {{ dbt.listagg('deal_id', "', '", 'order by deal_id', 5) }} as sample_deal_ids,
        {{ dbt.listagg('distinct source_system', "', '", 'order by source_system') }}
            as source_systems
    from deals
    group by pipeline_id, coalesce(rep_id, ''), lead_source
),

funnel_groups as (
    select
        pipeline_id,
        coalesce(rep_id, '') as rep_key,
        lead_source,
        sum(deals_created) as deal_count,
        sum(case when is_won_stage then deals_entered else 0 end) as won_count,
        coalesce(sum(case when is_won_stage then won_amount else 0 end), 0) as won_amount
    from funnel
    group by pipeline_id, coalesce(rep_id, ''), lead_source
),

compared as (
    select
        coalesce(deal_groups.pipeline_id, funnel_groups.pipeline_id) as pipeline_id,
        nullif(coalesce(deal_groups.rep_key, funnel_groups.rep_key), '') as rep_id,
        coalesce(deal_groups.lead_source, funnel_groups.lead_source) as lead_source,
        coalesce(deal_groups.deal_count, 0) as expected_deal_count,
        coalesce(funnel_groups.deal_count, 0) as funnel_deal_count,
        coalesce(deal_groups.won_count, 0) as expected_won_count,
        coalesce(funnel_groups.won_count, 0) as funnel_won_count,
        coalesce(deal_groups.won_amount, 0) as expected_won_amount,
        coalesce(funnel_groups.won_amount, 0) as funnel_won_amount,
        deal_groups.sample_deal_ids,
        deal_groups.source_systems
    from deal_groups
    full outer join funnel_groups
        on
            deal_groups.pipeline_id = funnel_groups.pipeline_id
            and deal_groups.rep_key = funnel_groups.rep_key
            and deal_groups.lead_source = funnel_groups.lead_source
),

final as (
    select *
    from compared
    where
        expected_deal_count != funnel_deal_count
        or expected_won_count != funnel_won_count
        or expected_won_amount != funnel_won_amount
    order by
        abs(expected_deal_count - funnel_deal_count)
        + abs(expected_won_count - funnel_won_count) desc,
        abs(expected_won_amount - funnel_won_amount) desc
    limit 20
)

select * from final
