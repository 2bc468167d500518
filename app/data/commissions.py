"""Commission payouts and lines (`marts.fct_payouts`, `marts.fct_commission_lines`) and the
transactions the lines were computed from."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from app.data.connection import CACHE_TTL_S, Reader
from app.data.reps import CURRENT_REPS
from app.data.selection import Selection


@st.cache_data(ttl=CACHE_TTL_S, show_spinner=False)
def payouts(reader: Reader, selection: Selection) -> pd.DataFrame:
    """Payouts of the monthly periods in `[start, end)`, each with the sum of its lines, so a
    payout that does not reconcile to its lines shows at once."""
    return reader.read(
        f"""
        with lines as (
            select rep_id, period_start, sum(amount) as lines_amount, count(*) as lines_counted
            from marts.fct_commission_lines
            where period_start >= :start and period_start < :end
            group by rep_id, period_start
        ),
        {CURRENT_REPS}
        select
            payouts.payout_id, payouts.rep_id, reps.full_name, reps.team_name,
            payouts.period_start, payouts.status, payouts.closed_at, payouts.plan_id,
            payouts.plan_version, payouts.payout_currency, payouts.gross_commission_amount,
            payouts.bonus_amount, payouts.clawback_amount, payouts.draw_amount,
            payouts.recovery_amount, payouts.adjustment_amount, payouts.net_payout_amount,
            payouts.points, payouts.line_count,
            coalesce(lines.lines_amount, 0) as lines_amount
        from marts.fct_payouts as payouts
        left join lines
            on payouts.rep_id = lines.rep_id and payouts.period_start = lines.period_start
        left join current_reps as reps on payouts.rep_id = reps.rep_id
        where payouts.period_start >= :start and payouts.period_start < :end
            and (cast(:rep_id as text) is null or payouts.rep_id = :rep_id)
            and (cast(:team_id as text) is null or reps.team_id = :team_id)
        order by payouts.period_start, reps.full_name, payouts.rep_id
        """,
        **selection.params(),
    )


# Commission lines of the periods in `[start, end)`, every column of the mart's contract, with the
# rep's name; a line computed from an order line carries that order line's order, product, date
# and net amount.
_LINES_SQL = f"""
        with {CURRENT_REPS}
        select
            lines.*,
            reps.full_name,
            order_lines.order_id as source_order_id,
            order_lines.product_id as source_product_id,
            order_lines.order_date as source_order_date,
            order_lines.net_amount as source_net_amount,
            order_lines.order_currency as source_currency
        from marts.fct_commission_lines as lines
        left join current_reps as reps on lines.rep_id = reps.rep_id
        left join marts.fct_order_lines as order_lines
            on lines.source_type = 'order_line' and lines.source_id = order_lines.order_line_id
        where lines.period_start >= :start and lines.period_start < :end
            and (cast(:rep_id as text) is null or lines.rep_id = :rep_id)
            and (cast(:team_id as text) is null or reps.team_id = :team_id)
        order by lines.period_start, reps.full_name, lines.source_date, lines.commission_line_id
"""


@st.cache_data(ttl=CACHE_TTL_S, show_spinner=False)
def lines(reader: Reader, selection: Selection) -> pd.DataFrame:
    """Commission lines of the selection (a statement asks for one rep's)."""
    return reader.read(_LINES_SQL, **selection.params())


def lines_csv(reader: Reader, selection: Selection) -> bytes:
    """Every line of the selection as CSV (UTF-8 with a BOM, so spreadsheets read the Chinese
    names), read only when finance asks for the export: a month of a large company's lines is
    tens of thousands of rows, too many to fetch on every page view."""
    return reader.read(_LINES_SQL, **selection.params()).to_csv(index=False).encode("utf-8-sig")


@st.cache_data(ttl=CACHE_TTL_S, show_spinner=False)
def points(reader: Reader, selection: Selection) -> pd.DataFrame:
    """Process and growth incentive points per rep, period and reason."""
    return reader.read(
        f"""
        with {CURRENT_REPS}
        select
            points.rep_id, reps.full_name, points.period_start, points.reason,
            points.metric_value, points.threshold, points.points, points.is_closed
        from marts.fct_incentive_points as points
        left join current_reps as reps on points.rep_id = reps.rep_id
        where points.period_start >= :start and points.period_start < :end
            and (cast(:rep_id as text) is null or points.rep_id = :rep_id)
            and (cast(:team_id as text) is null or reps.team_id = :team_id)
        order by points.period_start, reps.full_name, points.reason
        """,
        **selection.params(),
    )
