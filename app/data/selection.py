"""What a page asks the marts for: a period `[start, end)` and optional team, rep, pipeline and
lead source. Frozen, so it is part of a cached query's key."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import date


@dataclass(frozen=True)
class Selection:
    start: date
    end: date
    team_id: str | None = None
    rep_id: str | None = None
    pipeline_id: str | None = None
    lead_source: str | None = None

    def params(self) -> dict[str, object]:
        """The bound parameters of a query; a query uses those it names."""
        return asdict(self)
