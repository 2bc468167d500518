"""The CRM source against a misbehaving HubSpot: every record of the server's full set arrives
exactly once.

What `tests/ingestion/` covers already (single 429s, one 5xx, a truncated body, a slow answer,
the 10,000-result restart) is not repeated; these add what the reliability matrix asks beyond it:
long bursts, a repeated paging cursor, records modified between two pages, and many records on
the cursor's last timestamp across reruns (docs/reliability.md).
"""

from __future__ import annotations

import copy
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import psycopg2
import pytest
from dlt.pipeline.exceptions import PipelineStepFailed

from ingestion.demo.crm_server import CrmApi, CrmData, CrmServer, CrmState, FaultPlan
from ingestion.pipelines import raw_pipeline
from ingestion.sources.hubspot import hubspot

TOKEN = "crm-faults-token"
# Retries fast enough for a test; attempts enough to outlast the bursts below.
CLIENT = {"request_timeout_s": 1.0, "max_attempts": 8, "backoff_factor": 0.05}
N_CONTACTS = 450  # three search pages of 200


def _stamp(second: int) -> str:
    return f"2026-01-01T{second // 3600:02d}:{second % 3600 // 60:02d}:{second % 60:02d}.000Z"


def contacts(n: int, second_of: Callable[[int], int] = lambda i: i) -> list[dict[str, Any]]:
    """`n` contacts; contact i last modified at second `second_of(i)` of 2026-01-01."""
    records = []
    for i in range(n):
        stamp = _stamp(second_of(i))
        records.append(
            {
                "id": str(100000 + i),
                "properties": {"email": f"c{i}@example.cn", "lastmodifieddate": stamp},
                "createdAt": stamp,
                "updatedAt": stamp,
                "archived": False,
            }
        )
    return records


class ScriptedApi(CrmApi):
    """The fake server's API with a hook before each search request (numbered from 1)."""

    def __init__(self, state: CrmState, before_search: Callable[[int, dict], None]) -> None:
        super().__init__(state)
        self.before_search = before_search
        self.searches = 0

    def route(self, method: str, path: str, query: dict[str, str], body: dict):
        if path.endswith("/search"):
            self.searches += 1
            self.before_search(self.searches, body)
        return super().route(method, path, query, body)


@contextmanager
def crm(
    data: CrmData,
    faults: FaultPlan | None = None,
    before_search: Callable[[int, dict], None] = lambda n, body: None,
    holder: list[CrmData] | None = None,
) -> Iterator[CrmServer]:
    """A fake HubSpot serving `holder[0]` (swap it to change the data while serving)."""
    holder = holder if holder is not None else [data]
    state = CrmState(lambda: holder[0], TOKEN)
    server = CrmServer(state, faults=faults)
    server.api = ScriptedApi(state, before_search)
    server.start_in_thread()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture
def load_contacts(warehouse_url: str):
    """Load the contacts resource from a server into a fresh `raw_crm_<random>`; return rows."""
    pipeline = raw_pipeline(f"crm_{uuid.uuid4().hex[:8]}", url=warehouse_url)

    def load(server: CrmServer) -> list[tuple[str, str]]:
        source = hubspot(base_url=server.url, access_token=TOKEN, **CLIENT)
        pipeline.run(source.with_resources("contacts"))
        with psycopg2.connect(warehouse_url) as conn, conn.cursor() as cur:
            cur.execute(f'select id, email from "{pipeline.dataset_name}".contacts order by id')
            return cur.fetchall()

    return load


def full_set(data: CrmData) -> list[tuple[str, str]]:
    """What the server holds: every live contact once, as (id, email)."""
    return sorted((r["id"], r["properties"]["email"]) for r in data.objects["contacts"])


def test_bursts_of_429_5xx_timeouts_and_cut_json_lose_and_duplicate_nothing(
    load_contacts,
) -> None:
    data = CrmData(objects={"contacts": contacts(N_CONTACTS)})
    # requests 3-7: five 429s in a row (Retry-After 1 s); 9-12: four 502s; 14: JSON cut in
    # half; 15-16: two answers slower than the 1 s client timeout; then a 429 and a 502 again
    faults = FaultPlan(
        at_request={
            **dict.fromkeys(range(3, 8), "429"),
            **dict.fromkeys(range(9, 13), "500"),
            14: "truncate",
            15: "slow",
            16: "slow",
            18: "429",
            19: "500",
        },
        retry_after_s=1,
        slow_s=1.5,
    )
    with crm(data, faults) as server:
        rows = load_contacts(server)
        served = len(server.requests)
    assert served > 19  # every fault was served
    assert rows == full_set(data)  # 450 contacts, each once


def replaying(first_replay: int, last_replay: int) -> Callable[[int, dict], None]:
    """A `before_search` hook answering searches `first_replay..last_replay` with the first
    search's page again (the same records, the same next cursor), as a confused API might."""
    first_body: dict = {}

    def replay(number: int, body: dict) -> None:
        if number == 1:
            first_body.update(copy.deepcopy(body))
        elif first_replay <= number <= last_replay:
            body.clear()
            body.update(copy.deepcopy(first_body))

    return replay


def test_a_repeated_cursor_duplicates_nothing(load_contacts) -> None:
    data = CrmData(objects={"contacts": contacts(N_CONTACTS)})
    # keyset pages: since 0 -> contacts 0..199; since second 199 -> 199..398; since 398 ->
    # 398..449. The 2nd search is answered with page one again: one more search, no duplicate.
    with crm(data, before_search=replaying(2, 2)) as server:
        rows = load_contacts(server)
        searches = server.api.searches
    assert searches == 4
    assert rows == full_set(data)


def test_a_cursor_that_never_advances_stops_the_load_with_a_clear_error(load_contacts) -> None:
    data = CrmData(objects={"contacts": contacts(N_CONTACTS)})
    with (
        crm(data, before_search=replaying(2, 10**6)) as server,
        pytest.raises(PipelineStepFailed, match="returned the same page 4 times"),
    ):
        load_contacts(server)
    assert server.api.searches == 4  # page one, then three replays: no endless loop


def test_a_record_modified_between_two_pages_is_not_lost(load_contacts) -> None:
    holder = [CrmData(objects={"contacts": contacts(N_CONTACTS)})]

    def modify_contact_10(number: int, body: dict) -> None:
        # Between pages one and two contact 10 changes: it moves from the first page to the
        # end of the sorted result, and every later record moves up one place.
        if number == 2:
            changed = copy.deepcopy(holder[0])
            record = changed.objects["contacts"][10]
            record["properties"].update(email="c10-new@example.cn", lastmodifieddate=_stamp(1000))
            holder[0] = changed

    with crm(holder[0], before_search=modify_contact_10, holder=holder) as server:
        first = load_contacts(server)
        second = load_contacts(server)  # the next incremental run
    assert first == second == full_set(holder[0])
    assert ("100010", "c10-new@example.cn") in first


def test_many_records_on_the_last_cursor_timestamp_load_once_across_reruns(
    load_contacts,
) -> None:
    # contacts 150..449 (300 of them, more than a page) share the newest timestamp, second 150:
    # the next run's search starts at that timestamp (>=) and gets all 300 again
    data = CrmData(objects={"contacts": contacts(N_CONTACTS, lambda i: min(i, 150))})
    with crm(data) as server:
        first = load_contacts(server)
        second = load_contacts(server)
        searches = server.api.searches
    assert first == second == full_set(data)
    assert searches == 3 + 2  # run one: 3 pages of 200; run two: the 300 tied records, 2 pages
