"""The demo's state: which company (seed, scale, anchor day) and how far its clock has run."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, replace
from datetime import UTC, date, datetime, timedelta
from functools import lru_cache

from ingestion.demo.company import Company, simulate
from ingestion.demo.settings import demo_dir
from ingestion.demo.views import seconds_of


@dataclass(frozen=True)
class DemoState:
    seed: int
    scale: float
    anchor: str  # ISO date: the day the demo was built ("today" for its dates)
    as_of: str  # ISO timestamp: what the sources show so far
    # companies side by side (`ingestion.demo.shards`, the XL benchmark); 1: the demo company
    shards: int = 1

    @property
    def as_of_moment(self) -> datetime:
        return datetime.fromisoformat(self.as_of)

    def company(self) -> Company:
        return _simulated(self.seed, date.fromisoformat(self.anchor), self.scale)

    def as_of_seconds(self) -> int:
        return seconds_of(self.company(), self.as_of_moment)

    def advanced(self, days: int) -> DemoState:
        later = self.as_of_moment + timedelta(days=days)
        return replace(self, as_of=later.isoformat())


@lru_cache(maxsize=2)
def _simulated(seed: int, anchor: date, scale: float) -> Company:
    return simulate(seed, anchor, scale)


def state_file():
    return demo_dir() / "state.json"


def load() -> DemoState | None:
    path = state_file()
    return DemoState(**json.loads(path.read_text())) if path.exists() else None


def save(state: DemoState) -> None:
    path = state_file()
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_suffix(".tmp")
    fields = asdict(state)
    if state.shards == 1:  # the demo company's state file as it always was
        del fields["shards"]
    temporary.write_text(json.dumps(fields, indent=2))
    temporary.replace(path)


def new_state(seed: int, scale: float, today: date, shards: int = 1) -> DemoState:
    """A demo anchored on `today`, showing everything up to today's midnight (UTC)."""
    midnight = datetime(today.year, today.month, today.day, tzinfo=UTC)
    return DemoState(seed, scale, today.isoformat(), midnight.isoformat(), shards)
