"""Month-end: a month's payouts reviewed, approved and closed (docs/month-end.md).

Figures come from the marts as the viewer may read them (finance: the company; a manager: their
reps). Approvals, the close checklist and close requests live in `commission_ops` and are read
uncached: they change without a build, so the marts' version does not key them. Writes go only
through `commission_ops.approve` and `commission_ops.request_close`, which check the caller's
role in the database; the app merely switches to the viewer's role before calling them.
"""

from __future__ import annotations

from datetime import date

import pandas as pd
import psycopg2.errors
import sqlalchemy as sa
import streamlit as st

from app.data.connection import CACHE_TTL_S, Reader, engine
from app.data.reps import CURRENT_REPS

# Lines carry the team of the rep's month (`fct_commission_lines.team_id`), the team
# `commission_ops.period_lines` approves them with, so team subtotals here are the figures a
# manager approves; the name is the dimension's.
_LINES_WITH_TEAM = f"""
    lines_with_team as (
        select lines.*, teams.team_name
        from marts.fct_commission_lines as lines
        left join marts.dim_teams as teams on teams.team_id = lines.team_id
        where lines.period_start in (:period, :previous)
    ),
    {CURRENT_REPS}
"""


class MonthEndRefused(RuntimeError):
    """The database refused an approval or a close request; the message says why."""


@st.cache_data(ttl=CACHE_TTL_S, show_spinner=False)
def months(reader: Reader) -> pd.DataFrame:
    """Every month with payouts, oldest first, and whether it is closed."""
    return reader.read(
        """
        select period_start, bool_and(status = 'closed') as is_closed
        from marts.fct_payouts
        group by period_start
        order by period_start
        """
    )


def default_month(frame: pd.DataFrame) -> date | None:
    """The month to review: the oldest open one (the next to close), else the latest."""
    if frame.empty:
        return None
    still_open = frame[~frame["is_closed"]]
    return (still_open if not still_open.empty else frame.tail(1)).iloc[0]["period_start"]


@st.cache_data(ttl=CACHE_TTL_S, show_spinner=False)
def lines_by_team(reader: Reader, period: date, previous: date) -> pd.DataFrame:
    """The month's and the previous month's lines summed by team, rep, component, rule and
    source type: every figure of the review (totals, subtotals, what moved) is a sum of these."""
    return reader.read(
        f"""
        with {_LINES_WITH_TEAM}
        select
            lines.period_start, lines.team_id, lines.team_name, lines.rep_id,
            coalesce(reps.full_name, lines.rep_id) as rep_name, lines.payout_component,
            lines.rule, lines.source_type, lines.amount_currency,
            sum(lines.amount) as amount, count(*) as line_count
        from lines_with_team as lines
        left join current_reps as reps on reps.rep_id = lines.rep_id
        group by 1, 2, 3, 4, 5, 6, 7, 8, 9
        order by 1, 2, 4, 6, 7
        """,
        period=period,
        previous=previous,
    )


def approvable_teams(reader: Reader) -> pd.DataFrame:
    """The teams this viewer manages (`app_meta.viewer_teams`, own rows only), with names."""
    return reader.read(
        """
        select teams.team_id, coalesce(dim.team_name, teams.team_id) as team_name
        from app_meta.viewer_teams as teams
        left join marts.dim_teams as dim on dim.team_id = teams.team_id
        order by teams.team_id
        """
    )


def checklist(reader: Reader, period: date) -> pd.DataFrame:
    """The approvals the month's close needs, within the viewer's reach, and their status."""
    return reader.read("select * from commission_ops.close_checklist(:period)", period=period)


def approvals(reader: Reader, period: date) -> pd.DataFrame:
    """Every approval of the month the viewer reaches, newest first, valid or void."""
    return reader.read(
        """
        select
            approval_id, scope_type, scope_id, approved_by, approved_by_role, approved_at,
            net_amounts::text as net_amounts, line_count, current_line_count, status
        from commission_ops.approval_status
        where period_start = :period
        order by approval_id desc
        """,
        period=period,
    )


def lines_digest(reader: Reader, period: date, scope_type: str, scope_id: str) -> str | None:
    """The digest of the lines an approval of the scope would cover now: sent with the approval,
    so figures that changed while the viewer reviewed them are not approved unseen."""
    frame = reader.read(
        "select lines_digest from commission_ops.scope_figures(:period, :scope_type, :scope_id)",
        period=period,
        scope_type=scope_type,
        scope_id=scope_id,
    )
    return None if frame.empty else str(frame.iloc[0]["lines_digest"])


def close_requests(reader: Reader, period: date) -> pd.DataFrame:
    """The month's close requests and what the orchestration did with each, newest first."""
    return reader.read(
        """
        select request_id, requested_by, requested_at, status, status_at, run_id, message
        from commission_ops.close_request_status
        where period_start = :period
        order by request_id desc
        """,
        period=period,
    )


def open_disputes(reader: Reader, period: date) -> pd.DataFrame:
    """Open disputes of the month (`commission_ops.dispute_status`, when the warehouse has it)."""
    exists = reader.read("select to_regclass('commission_ops.dispute_status') is not null as ok")
    if not bool(exists.iloc[0]["ok"]):
        return pd.DataFrame(columns=["dispute_id", "rep_id", "reason", "raised_by", "raised_at"])
    return reader.read(
        """
        select dispute_id, rep_id, commission_line_id, deal_id, reason, raised_by, raised_at
        from commission_ops.dispute_status
        where period_start = :period and status = 'open'
        order by raised_at
        """,
        period=period,
    )


def _call(db_role: str, sql: str, params: dict[str, object]) -> int:
    """Run one `commission_ops` write function as the viewer's role; its refusal, if any, as
    `MonthEndRefused` with the database's own sentence."""
    try:
        with engine().connect() as conn, conn.begin():
            conn.execute(sa.text("select set_config('role', :role, true)"), {"role": db_role})
            return int(conn.execute(sa.text(sql), params).scalar_one())
    except sa.exc.DBAPIError as exc:
        if isinstance(exc.orig, psycopg2.Error) and exc.orig.diag.message_primary:
            raise MonthEndRefused(exc.orig.diag.message_primary) from exc
        raise


def approve(
    db_role: str, period: date, scope_type: str, scope_id: str, login: str, digest: str | None
) -> int:
    """Approve a team's (a manager) or the company's (finance) figures of the month."""
    return _call(
        db_role,
        "select commission_ops.approve(:period, :scope_type, :scope_id, :login, :digest)",
        {
            "period": period,
            "scope_type": scope_type,
            "scope_id": scope_id,
            "login": login,
            "digest": digest,
        },
    )


def request_close(db_role: str, period: date, login: str) -> int:
    """Ask the orchestration to close the month (finance; the approvals must be valid)."""
    return _call(
        db_role,
        "select commission_ops.request_close(:period, :login)",
        {"period": period, "login": login},
    )


COMPONENTS = ("commission", "bonus", "clawback", "draw", "recovery", "adjustment")


def _month(frame: pd.DataFrame, period: date) -> pd.DataFrame:
    return frame[frame["period_start"] == period]


def net_by_currency(frame: pd.DataFrame, period: date) -> dict[str, object]:
    """The month's net payout per currency (exact sums of the lines' Decimals)."""
    month = _month(frame, period)
    return {
        currency: sum(group["amount"], start=0)
        for currency, group in month.groupby("amount_currency", sort=True)
    }


def by_component(frame: pd.DataFrame, period: date) -> pd.DataFrame:
    """One row per currency: the month's amount of each payout component, the net and the line
    count (every component listed, zero when the month has none of it)."""
    rows = []
    for currency, group in _month(frame, period).groupby("amount_currency", sort=True):
        sums = group.groupby("payout_component")["amount"].sum()
        row: dict[str, object] = {"currency": currency}
        row |= {component: sums.get(component, 0) for component in COMPONENTS}
        row |= {"net": sum(group["amount"], start=0), "lines": int(group["line_count"].sum())}
        rows.append(row)
    return pd.DataFrame(rows, columns=["currency", *COMPONENTS, "net", "lines"])


def by_team(frame: pd.DataFrame, period: date) -> pd.DataFrame:
    """One row per team and currency (reps with no team in the month under an empty team):
    components, net and line count, plus the previous month's net and the change."""
    rows = []
    keys = ["team_id", "team_name", "amount_currency"]
    filled = frame.fillna({"team_id": "", "team_name": ""})
    previous = {
        key: sum(group["amount"], start=0)
        for key, group in filled[filled["period_start"] != period].groupby(keys)
    }
    for key, group in _month(filled, period).groupby(keys, sort=True):
        sums = group.groupby("payout_component")["amount"].sum()
        net = sum(group["amount"], start=0)
        before = previous.get(key, 0)
        row: dict[str, object] = dict(zip(["team_id", "team", "currency"], key, strict=True))
        row |= {component: sums.get(component, 0) for component in COMPONENTS}
        row |= {"net": net, "previous_net": before, "change": net - before}
        row["lines"] = int(group["line_count"].sum())
        rows.append(row)
    columns = ["team_id", "team", "currency", *COMPONENTS, "net", "previous_net", "change", "lines"]
    return pd.DataFrame(rows, columns=columns)


def movers(frame: pd.DataFrame, period: date, top: int = 10) -> pd.DataFrame:
    """What moved most since the previous month and why: the change of each rep's amount per
    rule (its component and source type say where it comes from), largest first by size."""
    keys = ["rep_id", "rep_name", "payout_component", "rule", "source_type", "amount_currency"]
    filled = frame.fillna({"rep_name": ""})
    current = _month(filled, period).groupby(keys)["amount"].sum()
    before = filled[filled["period_start"] != period].groupby(keys)["amount"].sum()
    joined = pd.concat([current.rename("amount"), before.rename("previous")], axis=1)
    joined = joined.reset_index()
    joined["amount"] = [0 if pd.isna(v) else v for v in joined["amount"]]
    joined["previous"] = [0 if pd.isna(v) else v for v in joined["previous"]]
    joined["change"] = [a - b for a, b in zip(joined["amount"], joined["previous"], strict=True)]
    joined = joined[[change != 0 for change in joined["change"]]]
    order = sorted(range(len(joined)), key=lambda i: -abs(joined["change"].iloc[i]))
    return joined.iloc[order[:top]].reset_index(drop=True)
