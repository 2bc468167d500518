"""The sharded demo (XL's generator, `ingestion.demo.shards`) at a small scale: its CRM, served
from PostgreSQL, answers exactly what the in-memory server answers for the same records, before
and after the demo clock moves; the real HubSpot connector loads the same rows from both."""

from __future__ import annotations

import json
import os
import sys
import types
import urllib.request
from datetime import date

import pytest
from fixtures.loads import loaded_rows

from ingestion.demo import state as demo_state
from ingestion.demo.__main__ import advance, build
from ingestion.demo.crm_records import crm_data
from ingestion.demo.crm_server import CrmData, CrmServer, CrmState
from ingestion.demo.crm_service import follow_demo_state
from ingestion.demo.settings import demo_crm_files_folder
from ingestion.demo.shards import shard_company
from ingestion.demo.views import seconds_of
from ingestion.sources.hubspot import hubspot

TODAY = date(2026, 6, 15)
SHARDS = 2
SCALE = 0.1
TOKEN = "demo-token"
OBJECTS = ("deals", "companies", "contacts", "calls", "meetings", "notes", "tasks")


def _in_memory() -> CrmData:
    """Every shard's HubSpot records, as the in-memory server would hold one company's."""
    state = demo_state.load()
    assert state is not None and state.shards == SHARDS
    merged = CrmData(objects={name: [] for name in OBJECTS})
    for shard in range(SHARDS):
        company = shard_company(state, shard)
        data = crm_data(company, seconds_of(company, state.as_of_moment))
        for name, records in data.objects.items():
            merged.objects[name] += records
        if shard == 0:
            merged.owners, merged.pipelines = data.owners, data.pipelines
    return merged


def _ask(url: str, path: str, body: dict | None = None) -> tuple[int, object]:
    request = urllib.request.Request(
        url + path,
        data=None if body is None else json.dumps(body).encode(),
        headers={"Authorization": f"Bearer {TOKEN}", "Content-Type": "application/json"},
        method="GET" if body is None else "POST",
    )
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read())


def _conversation(url: str) -> list[tuple[int, object]]:
    """What the connector asks (keyset search pages from several starts, a page past the search
    cap, archived lists, batch reads with history, associations, owners, properties), answered."""
    answers = []
    for name in OBJECTS:
        cursor = "lastmodifieddate" if name == "contacts" else "hs_lastmodifieddate"
        for since, operator in (("0", "GTE"), ("1767225600000", "GTE"), ("1767225600000", "GT")):
            after = None
            start = {"propertyName": cursor, "operator": operator, "value": since}
            for _ in range(4):  # the first pages of the search, by `after`
                body = {
                    "filterGroups": [{"filters": [start]}],
                    "sorts": [{"propertyName": cursor, "direction": "ASCENDING"}],
                    "properties": [cursor, "hubspot_owner_id", "amount", "lastname"],
                    "limit": 200,
                    **({"after": after} if after else {}),
                }
                status, page = _ask(url, f"/crm/v3/objects/{name}/search", body)
                answers.append((status, page))
                after = page.get("paging", {}).get("next", {}).get("after")
                if not after:
                    break
        capped = {"filterGroups": [], "limit": 200, "after": "9900"}
        answers.append(_ask(url, f"/crm/v3/objects/{name}/search", capped))
        answers.append(_ask(url, f"/crm/v3/objects/{name}?archived=true&limit=100"))
        answers.append(_ask(url, f"/crm/v3/objects/{name}?archived=true&limit=100&after=100"))
        answers.append(_ask(url, f"/crm/v3/properties/{name}"))
        listed = _ask(url, f"/crm/v3/objects/{name}?limit=100&associations=companies")
        answers.append(listed)
        ids = [record["id"] for record in listed[1]["results"]][::7] + ["404404"]
        read = {"inputs": [{"id": i} for i in ids], "propertiesWithHistory": ["amount"]}
        answers.append(_ask(url, f"/crm/v3/objects/{name}/batch/read", read))
        linked = {"inputs": [{"id": i} for i in ids]}
        answers.append(_ask(url, f"/crm/v4/associations/{name}/companies/batch/read", linked))
    answers.append(_ask(url, "/crm/v3/owners?limit=100"))
    answers.append(_ask(url, "/crm/v3/pipelines/deals"))
    return answers


@pytest.fixture
def sharded_demo(monkeypatch, tmp_path, scratch_database):
    monkeypatch.setenv("SPW_STATE_DIR", str(tmp_path))
    monkeypatch.setenv("DEMO_ORDERS_URL", scratch_database)
    # As the app's tests leave it: Streamlit's AppTest installs the page it ran as `__main__`,
    # which the shard workers must not run again (ingestion.demo.shards._workers_without_main).
    page = tmp_path / "page.py"
    page.write_text('raise SystemExit("a page script ran in a shard worker")\n', encoding="utf-8")
    script_main = types.ModuleType("__main__")
    script_main.__file__ = str(page)
    monkeypatch.setitem(sys.modules, "__main__", script_main)
    build(seed=7, scale=SCALE, today=TODAY, rebuild=True, serve=False, shards=SHARDS)
    stored = CrmServer(CrmState(follow_demo_state(), TOKEN))
    stored.start_in_thread()
    try:
        yield stored
    finally:
        stored.shutdown()
        stored.server_close()


def _same_answers_as_memory(stored: CrmServer) -> int:
    memory = CrmServer(CrmState(_in_memory(), TOKEN))
    memory.start_in_thread()
    try:
        expected = _conversation(memory.url)
        assert _conversation(stored.url) == expected
    finally:
        memory.shutdown()
        memory.server_close()
    return sum(len(page.get("results", [])) for _, page in expected if isinstance(page, dict))


def test_the_stored_crm_answers_as_the_in_memory_one(sharded_demo) -> None:
    assert _same_answers_as_memory(sharded_demo) > 1000
    advance(days=3)  # every shard's clock: new and changed records upserted into the store
    assert _same_answers_as_memory(sharded_demo) > 1000


def test_the_connector_loads_every_shard_from_the_stored_crm(sharded_demo, new_pipeline) -> None:
    """The real connector pages through the stored CRM and loads what it loads from memory."""
    memory = CrmServer(CrmState(_in_memory(), TOKEN))
    memory.start_in_thread()
    loaded = {}
    try:
        for name, server in (("stored", sharded_demo), ("memory", memory)):
            pipeline = new_pipeline(f"crm_{name}")
            pipeline.run(hubspot(base_url=server.url, access_token=TOKEN))
            loaded[name] = loaded_rows(pipeline)
    finally:
        memory.shutdown()
        memory.server_close()
    assert loaded["stored"] == loaded["memory"]
    assert loaded["stored"]["deals"] > 400 and loaded["stored"]["contacts"] > 80  # both shards
    # the channel team's exports of both shards are named in the one mapping
    mapping = (demo_crm_files_folder() / "mapping.yml").read_text(encoding="utf-8")
    assert "shard01/商机导出.csv" in mapping


@pytest.mark.scale  # `make test-scale`: two S companies through the whole pipeline, twice
def test_the_pipeline_runs_end_to_end_on_a_two_shard_company(tmp_path) -> None:
    """The benchmark's S2 scale (two S companies side by side, as XL is ten L ones) in a warehouse
    of its own: `make pipeline` from empty, then the demo clock moved for every shard and the
    nightly run. Both shards' orders, deals and activities reach the marts."""
    import psycopg

    from bench.environment import BenchEnvironment

    saved = dict(os.environ)
    env = BenchEnvironment("S2", home=tmp_path)
    env.start()
    try:
        env.build_demo()
        env.start_crm()
        env.run_pipeline("pipeline.log")

        def marts() -> dict[str, int]:
            with psycopg.connect(env.url) as conn:
                return dict(
                    conn.execute(
                        "select 'lines ' || left(order_line_id, 4), count(*) "
                        "from marts.fct_order_lines group by 1 union all "
                        r"select 'deals ' || left(deal_id, 2), count(*) from marts.fct_deals "
                        r"where deal_id ~ '^\d+$' group by 1 union all "
                        "select 'activities ' || left(activity_id, 1), count(*) "
                        r"from marts.fct_activities where activity_id ~ '^\d+$' group by 1"
                    ).fetchall()
                )

        first = marts()
        # shard 0's ids as the demo numbers them, shard 1's moved by a step of each kind
        for kind, shard_0, shard_1 in (
            ("lines", "L000", "L005"),
            ("deals", "90", "10"),
            ("activities", "3", "4"),
        ):
            assert first.get(f"{kind} {shard_0}", 0) > 1000, first
            assert first.get(f"{kind} {shard_1}", 0) > 1000, first
        env.advance_demo(4)
        env.run_pipeline("pipeline-nightly.log")
        later = marts()
        assert later["lines L000"] > first["lines L000"]
        assert later["lines L005"] > first["lines L005"]
    finally:
        env.stop()
        os.environ.clear()
        os.environ.update(saved)
