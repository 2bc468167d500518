"""The demo ships with its months closed up to two months before its today
(orchestration/demo_closing.py), so the README's `make close-period PERIOD=<last month>` works.

On the tiny company (its months are January-March 2026) with demo mode switched on by setting,
and the demo's clock set to 20 April 2026: January and February close in one range, a rerun
closes nothing, and March, "last month", then closes as the README says. With demo mode off
nothing closes.
"""

from __future__ import annotations

import datetime as dt

import psycopg2
import pytest

import tests.incentives.test_period_close as period_close_tests
from orchestration.demo_closing import close_demo_months, last_month_to_close

pytestmark = pytest.mark.e2e  # `make test-e2e` (CI runs it): slow, end to end

tiny_warehouse = period_close_tests.tiny_warehouse
monkeypatch_module = period_close_tests.monkeypatch_module


@pytest.mark.parametrize(
    ("today", "through"),
    [
        (dt.date(2026, 12, 2), dt.date(2026, 10, 1)),
        (dt.date(2026, 2, 28), dt.date(2025, 12, 1)),
        (dt.date(2026, 1, 1), dt.date(2025, 11, 1)),
        (dt.date(2026, 3, 31), dt.date(2026, 1, 1)),
    ],
)
def test_the_last_month_closed_is_two_months_before_today(today, through) -> None:
    assert last_month_to_close(today) == through


def _closed(url: str) -> list[tuple[str, str]]:
    with psycopg2.connect(url) as conn, conn.cursor() as cur:
        cur.execute(
            "select period_start::text, closed_at::text from incentives_closed.closed_periods"
            " order by 1"
        )
        rows = cur.fetchall()
    conn.close()
    return rows


@pytest.fixture(scope="module")
def built(tiny_warehouse: tuple[str, str]) -> str:
    """The tiny company's incentive marts, built and published, nothing closed."""
    url, _ = tiny_warehouse
    return url


def test_demo_months_close_once_and_leave_last_month_to_finance(
    built: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from ingestion.demo import state as demo_state
    from orchestration.incentives import close_period

    monkeypatch.setenv("SOURCES__DEMO", "false")
    assert close_demo_months(built) == 0
    assert _closed(built) == []  # one's own months are finance's to close

    monkeypatch.setenv("SOURCES__DEMO", "true")
    demo_state.save(demo_state.DemoState(7, 1.0, "2026-04-20", "2026-04-20T00:00:00+00:00"))
    assert close_demo_months(built) == 0
    first = _closed(built)
    assert [month for month, _ in first] == ["2026-01-01", "2026-02-01"]
    assert "closed the demo's months 2026-01..2026-02" in capsys.readouterr().err

    assert close_demo_months(built) == 0  # a rerun: nothing to do, nothing rewritten
    assert _closed(built) == first
    assert "demo months up to 2026-02 are closed" in capsys.readouterr().err

    assert close_period("2026-03") == 0  # the README's close of last month, as written
    assert [month for month, _ in _closed(built)] == ["2026-01-01", "2026-02-01", "2026-03-01"]
