with

rep_months as (
    select * from {{ ref('int_rep_months_assigned') }}
),

activities as (
    select * from {{ ref('int_activities_enriched') }}
),

deals as (
    select * from {{ ref('int_deals_enriched') }}
),

orders as (
    select * from {{ ref('int_orders_enriched') }}
),

activity_counts as (
    select
        rep_id,
        {{ month_start('activity_date') }} as month_start,
        sum(case when activity_type = 'visit' then 1 else 0 end) as visit_count,
        sum(case when activity_type = 'call' then 1 else 0 end) as call_count,
        sum(case when activity_type = 'meeting' then 1 else 0 end) as meeting_count,
        sum(case when activity_type = 'training' then 1 else 0 end) as training_count,
        sum(case when activity_type = 'email' then 1 else 0 end) as email_count
    from activities
    group by rep_id, {{ month_start('activity_date') }}
),

created_deals as (
    select
        rep_id,
        {{ month_start('created_date') }} as month_start,
        count(*) as deals_created,
        count(first_follow_up_at) as deals_followed_up,
        sum(case when is_followed_up_in_time then 1 else 0 end) as deals_followed_up_in_time,
        avg(follow_up_hours) as avg_follow_up_hours
    from deals
    group by rep_id, {{ month_start('created_date') }}
),

closed_deals as (
    select
        rep_id,
        {{ month_start('closed_date') }} as month_start,
        sum(case when is_won then 1 else 0 end) as deals_won,
        sum(case when deal_status = 'lost' then 1 else 0 end) as deals_lost,
        sum(case when is_won then deal_reporting_amount end) as won_amount
    from deals
    where closed_date is not null
    group by rep_id, {{ month_start('closed_date') }}
),

order_totals as (
    select
        rep_id,
        {{ month_start('order_date') }} as month_start,
        sum(net_reporting_amount) as net_revenue_amount,
        sum(case when is_first_order then 1 else 0 end) as new_customers
    from orders
    group by rep_id, {{ month_start('order_date') }}
),

joined as (
    select
        rep_months.rep_id,
        rep_months.month_start,
        rep_months.team_id,
        rep_months.region_id,
        coalesce(activity_counts.visit_count, 0) as visit_count,
        coalesce(activity_counts.call_count, 0) as call_count,
        coalesce(activity_counts.meeting_count, 0) as meeting_count,
        coalesce(activity_counts.training_count, 0) as training_count,
        coalesce(activity_counts.email_count, 0) as email_count,
        coalesce(order_totals.new_customers, 0) as new_customers,
        coalesce(order_totals.net_revenue_amount, 0) as net_revenue_amount,
        coalesce(created_deals.deals_created, 0) as deals_created,
        coalesce(closed_deals.deals_won, 0) as deals_won,
        coalesce(closed_deals.deals_lost, 0) as deals_lost,
        coalesce(closed_deals.won_amount, 0) as won_amount,
        coalesce(created_deals.deals_followed_up, 0) as deals_followed_up,
        coalesce(created_deals.deals_followed_up_in_time, 0) as deals_followed_up_in_time,
        created_deals.avg_follow_up_hours
    from rep_months
    left join activity_counts
        on
            rep_months.rep_id = activity_counts.rep_id
            and rep_months.month_start = activity_counts.month_start
    left join created_deals
        on
            rep_months.rep_id = created_deals.rep_id
            and rep_months.month_start = created_deals.month_start
    left join closed_deals
        on
            rep_months.rep_id = closed_deals.rep_id
            and rep_months.month_start = closed_deals.month_start
    left join order_totals
        on
            rep_months.rep_id = order_totals.rep_id
            and rep_months.month_start = order_totals.month_start
),

final as (
    select
        {{ surrogate_key(['rep_id', 'month_start']) }} as rep_month_id,
        rep_id,
        month_start,
        team_id,
        region_id,
        cast(visit_count as integer) as visit_count,
        cast(call_count as integer) as call_count,
        cast(meeting_count as integer) as meeting_count,
        cast(training_count as integer) as training_count,
        cast(email_count as integer) as email_count,
        cast(new_customers as integer) as new_customers,
        cast(deals_created as integer) as deals_created,
        cast(deals_won as integer) as deals_won,
        cast(deals_lost as integer) as deals_lost,
        cast(round({{ safe_divide('deals_won', 'deals_won + deals_lost') }}, 4) as numeric(9, 4))
            as win_rate,
        cast('{{ var("reporting_currency") }}' as {{ dbt.type_string() }}) as reporting_currency,
        cast(net_revenue_amount as numeric(18, 2)) as net_revenue_amount,
        cast(won_amount as numeric(18, 2)) as won_amount,
        cast(round({{ safe_divide('won_amount', 'deals_won') }}, 2) as numeric(18, 2))
            as avg_deal_size_amount,
        cast(deals_followed_up as integer) as deals_followed_up,
        cast(deals_followed_up_in_time as integer) as deals_followed_up_in_time,
        cast(round(avg_follow_up_hours, 2) as numeric(10, 2)) as avg_follow_up_hours,
        cast(
            round({{ safe_divide('deals_followed_up_in_time', 'deals_created') }}, 4)
            as numeric(9, 4)
        ) as follow_up_in_time_rate
    from joined
)

select * from final
