"""Reporting periods: a month, quarter or year, and the one before it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

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
