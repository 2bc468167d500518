"""Disputes and holds (`commission_ops`): reads of their status views, and the four decisions
people record, each through the database's own `security definer` function as the viewer's role.

The database checks who may do what (a rep disputes only their own lines; only finance resolves
and holds), so these functions only pass the viewer's role and inputs on; a refusal comes back as
`DecisionRefused` with PostgreSQL's reason. Reads are not cached: a decision changes them at
once, while the marts' build version (the cache key of `connection.Reader`) does not move.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pandas as pd
import psycopg2.errors
import sqlalchemy as sa

from app.data.connection import Reader, engine


class DecisionRefused(RuntimeError):
    """The database refused a dispute or hold decision; the message is its reason."""


def disputes(reader: Reader, rep_id: str | None = None, status: str | None = None) -> pd.DataFrame:
    """Disputes the reader may see (the view limits a rep or manager to their reach), newest
    first, optionally of one rep or in one status."""
    return reader.read(
        """
        select dispute_id, period_start, rep_id, commission_line_id, deal_id, reason, raised_by,
            raised_at, status, resolution_reason, resolved_by, resolved_at, adjustment_amount
        from commission_ops.dispute_status
        where (cast(:rep_id as text) is null or rep_id = :rep_id)
            and (cast(:status as text) is null or status = :status)
        order by raised_at desc, dispute_id desc
        """,
        rep_id=rep_id,
        status=status,
    )


def holds(reader: Reader) -> pd.DataFrame:
    """Holds the reader may see, active ones first."""
    return reader.read(
        """
        select hold_id, rep_id, deal_id, reason, held_by, held_at, released_by, released_at,
            release_reason, release_period_start, status
        from commission_ops.hold_status
        order by status, held_at desc, hold_id desc
        """
    )


def _decide(db_role: str, sql: str, params: dict[str, object]) -> object:
    """Run one decision function as `db_role` in its own transaction; its result."""
    try:
        with engine().connect() as conn, conn.begin():
            conn.execute(sa.text("select set_config('role', :role, true)"), {"role": db_role})
            return conn.execute(sa.text(sql), params).scalar()
    except sa.exc.DBAPIError as exc:
        # the function's own refusals, the role check, and an amount the column cannot hold
        refusals = (
            psycopg2.errors.RaiseException,
            psycopg2.errors.InsufficientPrivilege,
            psycopg2.DataError,
        )
        if isinstance(exc.orig, refusals):
            raise DecisionRefused(str(exc.orig).splitlines()[0]) from exc
        raise


def raise_dispute(
    db_role: str,
    rep_id: str,
    reason: str,
    raised_by: str,
    commission_line_id: str | None = None,
    deal_id: str | None = None,
    period_start: date | None = None,
) -> int:
    """A rep disputes one of their lines, or a deal missing from a period; the dispute's id."""
    return int(
        _decide(
            db_role,
            "select commission_ops.raise_dispute(:rep_id, :line_id, :deal_id, :period, :reason,"
            " :raised_by)",
            {
                "rep_id": rep_id,
                "line_id": commission_line_id,
                "deal_id": deal_id,
                "period": period_start,
                "reason": reason,
                "raised_by": raised_by,
            },
        )
    )


def resolve_dispute(
    db_role: str,
    dispute_id: int,
    accept: bool,
    reason: str,
    resolved_by: str,
    amount: Decimal | None = None,
) -> None:
    """Finance accepts a dispute (paying `amount` as an adjustment line) or rejects it."""
    _decide(
        db_role,
        "select commission_ops.resolve_dispute(:dispute_id, :accept, :amount, :reason, :by)",
        {
            "dispute_id": dispute_id,
            "accept": accept,
            "amount": amount,
            "reason": reason,
            "by": resolved_by,
        },
    )


def place_hold(db_role: str, rep_id: str, reason: str, held_by: str, deal_id: str | None) -> int:
    """Finance holds a rep's commission, or only that on one deal; the hold's id."""
    return int(
        _decide(
            db_role,
            "select commission_ops.place_hold(:rep_id, :deal_id, :reason, :by)",
            {"rep_id": rep_id, "deal_id": deal_id, "reason": reason, "by": held_by},
        )
    )


def release_hold(db_role: str, hold_id: int, reason: str, released_by: str) -> date:
    """Finance releases a hold; the first open month at the release."""
    return _decide(
        db_role,
        "select commission_ops.release_hold(:hold_id, :reason, :by)",
        {"hold_id": hold_id, "reason": reason, "by": released_by},
    )
