"""When warnings speak and how they are ranked; which period a session opens on."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pandas as pd
import pytest

from app.alerts import AlertConfigError, group_alerts, min_elapsed
from app.period import Period, default_start, elapsed_share

MONTHS = [date(2026, 12, 1), date(2026, 11, 1), date(2026, 10, 1)]


def test_elapsed_share_counts_today_as_gone() -> None:
    december = Period("month", date(2026, 12, 1))
    # 2 of December's 31 days
    assert elapsed_share(december, date(2026, 12, 2)) == pytest.approx(2 / 31)
    assert elapsed_share(december, date(2026, 11, 30)) == 0.0
    assert elapsed_share(december, date(2027, 1, 5)) == 1.0


@pytest.mark.parametrize(
    ("today", "opens_on"),
    [
        # the 2nd: 2 / 31 = 6.5% of December gone, under 20% -> November, which is complete
        (date(2026, 12, 2), date(2026, 11, 1)),
        # the 7th: 7 / 31 = 22.6% gone -> December to date
        (date(2026, 12, 7), date(2026, 12, 1)),
        # data ends before today's month: its latest month
        (date(2027, 2, 1), date(2026, 12, 1)),
    ],
)
def test_a_session_opens_on_a_period_that_makes_sense(today: date, opens_on: date) -> None:
    assert default_start(MONTHS, "month", today, 0.2) == opens_on


def test_a_single_running_month_is_still_offered() -> None:
    assert default_start([date(2026, 12, 1)], "month", date(2026, 12, 2), 0.2) == date(2026, 12, 1)


def test_the_threshold_comes_from_the_environment_and_fails_fast(monkeypatch) -> None:
    monkeypatch.delenv("APP_ALERT_MIN_ELAPSED", raising=False)
    assert min_elapsed() == 0.2
    monkeypatch.setenv("APP_ALERT_MIN_ELAPSED", "0.35")
    assert min_elapsed() == 0.35
    monkeypatch.setenv("APP_ALERT_MIN_ELAPSED", "20%")
    with pytest.raises(AlertConfigError, match="between 0 and 1"):
        min_elapsed()


def _row(scope_type, scope, team, metric, target, projected) -> dict:
    return {
        "scope_type": scope_type,
        "scope_id": scope,
        "scope_name": scope,
        "team_id": team,
        "team_name": team,
        "metric": metric,
        "target_amount": Decimal(target),
        "projected_amount": Decimal(projected),
    }


def test_warnings_group_by_team_and_metric_and_rank_by_money_at_stake() -> None:
    behind = pd.DataFrame(
        [
            _row("rep", "r1", "A", "visits", "10", "2"),
            _row("rep", "r1", "A", "revenue", "1000.00", "900.00"),
            _row("rep", "r2", "A", "revenue", "2000.00", "1500.00"),
            _row("team", "A", "A", "revenue", "5000.00", "4800.00"),
            _row("rep", "r3", "B", "revenue", "9000.00", "3000.00"),
            _row("rep", "r3", "B", "deals_won", "4", "3"),
        ]
    )
    groups = group_alerts(behind)
    assert [(g.team_name, g.metric) for g in groups] == [
        ("B", "revenue"),  # 9000 - 3000 = 6000.00 at stake
        ("A", "revenue"),  # reps 100 + 500 = 600.00, more than the team's own 200.00
        ("A", "visits"),  # counts have no price: 8 of 10 short = 80%
        ("B", "deals_won"),  # 1 of 4 = 25%
    ]
    assert groups[0].at_stake == Decimal("6000.00")
    assert groups[1].at_stake == Decimal("600.00")
    assert groups[2].at_stake is None
    # the team's own row is listed first in its group
    assert groups[1].rows["scope_type"].tolist() == ["team", "rep", "rep"]
