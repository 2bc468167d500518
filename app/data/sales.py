"""Orders, deals and activities for a period, filtered by team and rep.

A team's figures are its reps' while they were on the team: orders and activities are matched to
`dim_reps`' assignment on the day they happened; deals carry their credited team.
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

from app.data.connection import CACHE_TTL_S, Reader
from app.data.reps import CURRENT_REPS
from app.data.selection import Selection

# The order lines of the selection, a team's matched to its reps' assignment on the order date.
# A constant prefix of the queries below; every value is a bound parameter.
_SCOPED_LINES = """
    with scoped_lines as (
        select lines.*
        from marts.fct_order_lines as lines
        where lines.order_date >= :start and lines.order_date < :end
            and (cast(:rep_id as text) is null or lines.rep_id = :rep_id)
            and (cast(:team_id as text) is null or exists (
                select 1 from marts.dim_reps as reps
                where reps.rep_id = lines.rep_id and reps.team_id = :team_id
                    and reps.valid_from <= lines.order_date
                    and (reps.valid_to is null or reps.valid_to > lines.order_date)
            ))
    )
"""


@st.cache_data(ttl=CACHE_TTL_S, show_spinner=False)
def order_kpis(reader: Reader, selection: Selection) -> pd.Series:
    """Completed orders, net revenue (reporting currency) and average order value."""
    frame = reader.read(
        _SCOPED_LINES
        + """
        select
            count(distinct order_id) filter (where order_status = 'completed') as orders,
            coalesce(sum(net_reporting_amount), 0) as net_revenue,
            max(reporting_currency) as currency,
            round(
                coalesce(sum(net_reporting_amount), 0)
                / nullif(count(distinct order_id) filter (where order_status = 'completed'), 0),
                2
            ) as average_order_value
        from scoped_lines
        """,
        **selection.params(),
    )
    return frame.iloc[0]


@st.cache_data(ttl=CACHE_TTL_S, show_spinner=False)
def revenue_by_product_line(reader: Reader, selection: Selection) -> pd.DataFrame:
    """Net revenue (reporting currency) per product line."""
    return reader.read(
        _SCOPED_LINES
        + """
        select products.product_line, sum(scoped_lines.net_reporting_amount) as net_revenue
        from scoped_lines
        inner join marts.dim_products as products
            on scoped_lines.product_id = products.product_id
        group by products.product_line
        order by net_revenue desc
        """,
        **selection.params(),
    )


_DEALS_BY_REP = """
    select
        deals.rep_id,
        count(*) filter (where deals.is_won) as deals_won,
        count(*) filter (where deals.is_closed and not deals.is_won) as deals_lost,
        round(
            1.0 * count(*) filter (where deals.is_won)
            / nullif(count(*) filter (where deals.is_closed), 0),
            4
        ) as win_rate,
        round(avg(deals.cycle_days) filter (where deals.is_won), 1) as avg_cycle_days,
        coalesce(sum(deals.deal_reporting_amount) filter (where deals.is_won), 0) as won_amount
    from marts.fct_deals as deals
    where deals.closed_date >= :start and deals.closed_date < :end
        and (cast(:team_id as text) is null or deals.team_id = :team_id)
        and (cast(:rep_id as text) is null or deals.rep_id = :rep_id)
    group by rollup (deals.rep_id)
"""


@st.cache_data(ttl=CACHE_TTL_S, show_spinner=False)
def deal_kpis(reader: Reader, selection: Selection) -> pd.DataFrame:
    """Deals closed in the period per rep, and for all of them (the row whose `rep_id` is null):
    won, lost, win rate (won / closed), average cycle days of won deals, won amount."""
    return reader.read(_DEALS_BY_REP, **selection.params())


@st.cache_data(ttl=CACHE_TTL_S, show_spinner=False)
def rep_leaderboard(reader: Reader, selection: Selection) -> pd.DataFrame:
    """Per rep: net revenue, orders, visits, calls and meetings in the period."""
    return reader.read(
        """
        with assigned as (
            select rep_id, full_name, team_id, team_name, valid_from, valid_to
            from marts.dim_reps
            where valid_from < :end and (valid_to is null or valid_to > :start)
                and (cast(:team_id as text) is null or team_id = :team_id)
                and (cast(:rep_id as text) is null or rep_id = :rep_id)
        ),
        revenue as (
            select lines.rep_id, sum(lines.net_reporting_amount) as net_revenue,
                count(distinct lines.order_id) filter (where lines.order_status = 'completed')
                    as orders
            from marts.fct_order_lines as lines
            inner join assigned
                on lines.rep_id = assigned.rep_id
                and lines.order_date >= assigned.valid_from
                and (assigned.valid_to is null or lines.order_date < assigned.valid_to)
            where lines.order_date >= :start and lines.order_date < :end
            group by lines.rep_id
        ),
        activity as (
            select activities.rep_id,
                count(*) filter (where activities.activity_type = 'visit') as visits,
                count(*) filter (where activities.activity_type = 'call') as calls,
                count(*) filter (where activities.activity_type = 'meeting') as meetings
            from marts.fct_activities as activities
            inner join assigned
                on activities.rep_id = assigned.rep_id
                and activities.activity_date >= assigned.valid_from
                and (assigned.valid_to is null or activities.activity_date < assigned.valid_to)
            where activities.activity_date >= :start and activities.activity_date < :end
            group by activities.rep_id
        ),
        reps as (
            select distinct on (rep_id) rep_id, full_name, team_name
            from assigned
            order by rep_id, valid_from desc
        )
        select
            reps.rep_id, reps.full_name, reps.team_name,
            coalesce(revenue.net_revenue, 0) as net_revenue,
            coalesce(revenue.orders, 0) as orders,
            coalesce(activity.visits, 0) as visits,
            coalesce(activity.calls, 0) as calls,
            coalesce(activity.meetings, 0) as meetings
        from reps
        left join revenue on reps.rep_id = revenue.rep_id
        left join activity on reps.rep_id = activity.rep_id
        order by net_revenue desc, reps.full_name
        """,
        **selection.params(),
    )


@st.cache_data(ttl=CACHE_TTL_S, show_spinner=False)
def monthly_revenue(reader: Reader, selection: Selection) -> pd.DataFrame:
    """Net revenue per month and rep, the trend lines: orders by their credited rep and the team
    that rep was on at the order date (`fct_orders.team_id`), named by the rep's latest name."""
    return reader.read(
        f"""
        with monthly as (
            select
                cast(date_trunc('month', orders.order_date) as date) as month,
                orders.rep_id,
                sum(orders.net_reporting_amount) as net_revenue
            from marts.fct_orders as orders
            where orders.order_date >= :start and orders.order_date < :end
                and (cast(:team_id as text) is null or orders.team_id = :team_id)
                and (cast(:rep_id as text) is null or orders.rep_id = :rep_id)
            group by 1, 2
        ),
        {CURRENT_REPS}
        select monthly.month, names.full_name, sum(monthly.net_revenue) as net_revenue
        from monthly
        inner join current_reps as names on monthly.rep_id = names.rep_id
        group by 1, 2
        order by 1, 2
        """,
        **selection.params(),
    )
