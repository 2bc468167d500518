"""The app's figures: how long each page's queries take on the marts, warm and cold.

Each page is opened once with Streamlit's `AppTest` as a finance viewer (who sees every row and
page); every query it sends through `app.data.connection` is recorded. The recorded queries are
then replayed through the same function, bypassing Streamlit's result cache (a cache hit measures
nothing): cold right after PostgreSQL restarted (empty shared buffers, new connections; the
operating system's file cache is left alone), warm when run again.
"""

from __future__ import annotations

import statistics
import time
from dataclasses import dataclass

from bench.environment import BenchEnvironment

APP_SCRIPT = "app/streamlit_app.py"
WARM_REPEATS = 5


@dataclass(frozen=True)
class RecordedQuery:
    page: str
    db_role: str
    sql: str
    params: tuple[tuple[str, object], ...]


def _pages() -> list[str]:
    from ingestion.platform.paths import PROJECT_ROOT

    return sorted(
        f"app_pages/{path.name}" for path in (PROJECT_ROOT / "app" / "app_pages").glob("*.py")
    )


def record_page_queries() -> list[RecordedQuery]:
    """Open every page as finance and record the queries it sends."""
    import streamlit as st
    from streamlit.testing.v1 import AppTest

    from app.auth import Viewer
    from app.data import connection
    from ingestion.platform.paths import PROJECT_ROOT

    recorded: list[RecordedQuery] = []
    page = ["entry"]
    original = connection._query

    def recording_query(db_role: str, sql: str, params: dict[str, object]):
        frame = original(db_role, sql, params)  # a mart not built yet raises: not recorded
        recorded.append(RecordedQuery(page[0], db_role, sql, tuple(sorted(params.items()))))
        return frame

    connection._query = recording_query
    try:
        st.cache_data.clear()
        st.cache_resource.clear()
        app = AppTest.from_file(str(PROJECT_ROOT / APP_SCRIPT), default_timeout=120)
        app.session_state["viewer"] = Viewer(login="bench", name="Benchmark", role="finance")
        app.run()
        for name in _pages():
            page[0] = name
            st.cache_data.clear()
            app.switch_page(name).run()
            if app.exception:
                raise RuntimeError(f"page {name} failed: {app.exception}")
    finally:
        connection._query = original
    return [query for query in recorded if query.page != "entry"]


def _time(query: RecordedQuery) -> float:
    from app.data.connection import _query

    started = time.perf_counter()
    _query(query.db_role, query.sql, dict(query.params))
    return (time.perf_counter() - started) * 1000


def replay_once(env: BenchEnvironment, queries: list[RecordedQuery]) -> dict[str, float]:
    """One cold pass after a server restart, then `WARM_REPEATS` warm passes (milliseconds)."""
    import streamlit as st

    env.restart_server()
    st.cache_resource.clear()  # a new engine: new connections to the restarted server
    cold = [_time(query) for query in queries]
    warm = [_time(query) for _ in range(WARM_REPEATS) for query in queries]
    return {
        "app_p50_warm_ms": statistics.median(warm),
        "app_p95_warm_ms": percentile(warm, 95),
        "app_p95_cold_ms": percentile(cold, 95),
        "app_max_warm_ms": max(warm),
    }


def page_totals_ms(queries: list[RecordedQuery]) -> dict[str, float]:
    """Each page's queries one after another, warm: what a viewer waits for at most."""
    totals: dict[str, float] = {}
    for query in queries:
        totals[query.page] = totals.get(query.page, 0.0) + _time(query)
    return totals


def percentile(values: list[float], pct: float) -> float:
    """Nearest-rank percentile: the smallest value with at least `pct`% of values at or below."""
    ordered = sorted(values)
    rank = max(1, -(-len(ordered) * pct // 100))
    return ordered[int(rank) - 1]
