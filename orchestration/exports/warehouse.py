"""The few reads the exports share: rows as dicts, the closed months, and the reps' names."""

from __future__ import annotations

import datetime as dt
from typing import Any

import psycopg2


def fetch(url: str, query: str, params: tuple = ()) -> list[dict[str, Any]]:
    """The rows of a parameterised query, each a dict by column name (decimals stay Decimal)."""
    with psycopg2.connect(url) as conn, conn.cursor() as cur:
        cur.execute(query, params)
        names = [column.name for column in cur.description]
        return [dict(zip(names, row, strict=True)) for row in cur.fetchall()]


def month_start(period: str) -> dt.date:
    """The first day of `YYYY-MM`; ValueError naming the expected form."""
    try:
        return dt.datetime.strptime(period, "%Y-%m").date()
    except ValueError:
        raise ValueError(f"PERIOD={period}: give a month as YYYY-MM, e.g. 2026-01") from None


def is_closed(url: str, period_start: dt.date) -> bool:
    """Whether the period-close job froze the month (the store is the authority, not a mart)."""
    rows = fetch(
        url,
        "select to_regclass('incentives_closed.closed_periods') is not null as has_store",
    )
    if not rows[0]["has_store"]:
        return False
    return bool(
        fetch(
            url,
            "select 1 from incentives_closed.closed_periods where period_start = %s",
            (period_start,),
        )
    )


# The rep's name as finance's org files give it: the current row of dim_reps, else the latest.
REP_NAMES = """
    select distinct on (rep_id) rep_id, full_name
    from marts.dim_reps
    where rep_id = any(%s)
    order by rep_id, is_current desc, valid_from desc
"""


def rep_names(url: str, rep_ids: list[str]) -> dict[str, str]:
    """Full names by rep id; a rep unknown to dim_reps keeps its id as its name."""
    found = {row["rep_id"]: row["full_name"] for row in fetch(url, REP_NAMES, (rep_ids,))}
    return {rep_id: found.get(rep_id) or rep_id for rep_id in rep_ids}
