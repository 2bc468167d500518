"""Behind-pace warnings (预警): when they speak, and how a long list becomes a short one.

A warning before a fair share of the period has passed is noise (on the 2nd of a month every rep
is at 0% with 3% gone), so none is raised before `APP_ALERT_MIN_ELAPSED` of the period (default
0.2). The rest are grouped by team and metric and ranked by the money at stake, so a manager
reads the few that matter first.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from decimal import Decimal

import pandas as pd

MIN_ELAPSED_ENV = "APP_ALERT_MIN_ELAPSED"
DEFAULT_MIN_ELAPSED = 0.2
SHOWN_GROUPS = 5


class AlertConfigError(ValueError):
    """The alert threshold is not a share between 0 and 1; the message names the fix."""


def min_elapsed() -> float:
    """The share of a period that must have passed before anyone is warned."""
    raw = os.environ.get(MIN_ELAPSED_ENV, "").strip()
    if not raw:
        return DEFAULT_MIN_ELAPSED
    try:
        share = float(raw)
    except ValueError:
        share = -1.0
    if not 0 <= share <= 1:
        raise AlertConfigError(
            f"{MIN_ELAPSED_ENV}={raw!r} is not a share of the period: set it between 0 and 1 "
            f"(e.g. 0.2 for 20%), or unset it for the default {DEFAULT_MIN_ELAPSED}"
        )
    return share


@dataclass(frozen=True)
class AlertGroup:
    """The behind-pace rows of one team and metric. `at_stake` is the projected shortfall in the
    reporting currency for revenue (the team's own, or its reps' added up when larger: the team
    includes them, so the two are not added), `None` for a count metric, which has no price."""

    team_id: str
    team_name: str
    metric: str
    rows: pd.DataFrame
    at_stake: Decimal | None
    shortfall_share: Decimal


def _shortfall(rows: pd.DataFrame) -> Decimal:
    """Target minus the run-rate projection, added up (never below zero)."""
    return sum(
        (
            max(Decimal(str(t)) - Decimal(str(p)), Decimal(0))
            for t, p in zip(rows["target_amount"], rows["projected_amount"], strict=True)
        ),
        Decimal(0),
    )


def group_alerts(behind: pd.DataFrame) -> list[AlertGroup]:
    """Behind-pace rows (with `team_id`, `team_name`) grouped by team and metric; revenue groups
    first by money at stake, then the count metrics by their shortfall as a share of target."""
    groups = []
    for (team_id, team_name, metric), rows in behind.groupby(
        ["team_id", "team_name", "metric"], sort=False
    ):
        team_rows = rows[rows["scope_type"] == "team"]
        rep_rows = rows[rows["scope_type"] == "rep"]
        shortfall = max(_shortfall(team_rows), _shortfall(rep_rows))
        target = sum((Decimal(str(v)) for v in rows["target_amount"]), Decimal(0))
        groups.append(
            AlertGroup(
                team_id=team_id,
                team_name=team_name,
                metric=metric,
                rows=rows.sort_values("scope_type", key=lambda s: s != "team"),
                at_stake=shortfall if metric == "revenue" else None,
                shortfall_share=_shortfall(rows) / target if target else Decimal(0),
            )
        )
    return sorted(
        groups,
        key=lambda g: (g.at_stake is None, -(g.at_stake or 0), -g.shortfall_share, g.team_name),
    )
