"""Reporting periods: a month, quarter or year, and the one before it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

GRAINS = ("month", "quarter", "year")
_MONTHS = {"month": 1, "quarter": 3, "year": 12}


def add_months(day: date, months: int) -> date:
    index = day.year * 12 + day.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


def period_start(day: date, grain: str) -> date:
    """The first day of the `grain` period `day` falls in (calendar periods, as the marts use)."""
    if grain == "year":
        return date(day.year, 1, 1)
    if grain == "quarter":
        return date(day.year, (day.month - 1) // 3 * 3 + 1, 1)
    return date(day.year, day.month, 1)


@dataclass(frozen=True)
class Period:
    """A calendar period `[start, end)`."""

    grain: str
    start: date

    @property
    def end(self) -> date:
        return add_months(self.start, _MONTHS[self.grain])

    def previous(self) -> Period:
        return Period(self.grain, add_months(self.start, -_MONTHS[self.grain]))

    def label(self) -> str:
        if self.grain == "year":
            return f"{self.start.year}"
        if self.grain == "quarter":
            return f"{self.start.year} Q{(self.start.month - 1) // 3 + 1}"
        return f"{self.start:%Y-%m}"


def elapsed_share(period: Period, today: date) -> float:
    """Share of `period` gone by the end of `today`, between 0 and 1 (as the marts count it:
    days from the start to today inclusive over the days in the period)."""
    if today < period.start:
        return 0.0
    last_day = min(today, period.end - timedelta(days=1))
    gone = (last_day - period.start).days + 1
    return gone / (period.end - period.start).days


def default_start(starts: list[date], grain: str, today: date, min_elapsed: float) -> date:
    """The period a session opens on: the latest with data, unless that is today's period and
    less than `min_elapsed` of it has gone (on the 2nd of a month every rep would read 0% of
    target), then the one before it, which is complete. `starts` is latest first."""
    latest = starts[0]
    current = Period(grain, latest)
    running = current.start <= today < current.end
    too_early = running and elapsed_share(current, today) < min_elapsed
    return starts[1] if too_early and len(starts) > 1 else latest
