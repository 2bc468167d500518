"""The HubSpot source against the fake HubSpot server: paging, the 10,000-result restart,
rate limits and failures, archived records and cursor ties, reruns and changes."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from dlt.pipeline.exceptions import PipelineStepFailed
from fixtures.loads import loaded_rows, table_rows
from fixtures.tiny_company import TOKEN
from fixtures.tiny_company.crm import crm_data

from ingestion.demo import crm_server
from ingestion.demo.crm_server import CrmData, CrmServer, CrmState, FaultPlan
from ingestion.sources.hubspot import hubspot
from ingestion.sources.hubspot import settings as hubspot_settings

FAST_RETRIES = {"request_timeout_s": 1.0, "max_attempts": 5, "backoff_factor": 0.05}


@pytest.fixture
def fake_hubspot(serve) -> Callable[..., CrmServer]:
    """The fake HubSpot serving `data` with the tiny company's token, `faults` injected."""

    def start(data: CrmData, faults: FaultPlan | None = None) -> CrmServer:
        return serve(CrmServer(CrmState(data, TOKEN), faults=faults))

    return start


def _source(server: CrmServer):
    return hubspot(base_url=server.url, access_token=TOKEN, **FAST_RETRIES)


def test_loads_the_portal_through_rate_limits_and_failures(fake_hubspot, new_pipeline) -> None:
    # requests 2-3: a 429 burst (Retry-After: 1); 5: a 502; 7: JSON cut in half; 9: an answer
    # slower than the 1 s client timeout. Every one is retried; nothing is lost.
    faults = FaultPlan(
        at_request={2: "429", 3: "429", 5: "500", 7: "truncate", 9: "slow"}, slow_s=2.0
    )
    pipeline = new_pipeline("crm")
    server = fake_hubspot(crm_data(), faults)
    pipeline.run(_source(server))
    served = len(server.requests)
    assert served > 9  # the faults were all served
    deals = table_rows(pipeline, "select id, dealstage, is_deleted from {raw}.deals order by id")
    assert deals == [
        ("1001", "closedwon", False),
        ("1002", "closedlost", False),
        ("1003", "closedwon", False),
        ("1004", "qualifiedtobuy", False),
        ("1005", "closedlost", False),
        ("1006", "appointmentscheduled", True),  # archived: only in `?archived=true`
        ("1007", "closedwon", False),
    ]
    # stage history of the live deals: 4 + 3 + 6 + 2 + 2 + 4 changes (1001..1005, 1007)
    assert table_rows(pipeline, "select count(*) from {raw}.deal_stage_history") == [(21,)]
    # amount and close-date versions of the live deals: one amount each but 1005's two (7); two
    # close dates each, the one set at creation and the close day or 1004's push (12)
    assert table_rows(
        pipeline,
        "select property_name, count(*) from {raw}.deal_property_history group by 1 order by 1",
    ) == [("amount", 7), ("closedate", 12)]
    assert table_rows(
        pipeline,
        "select deal_id, property_name, value, changed_at::text from {raw}.deal_property_history"
        " where deal_id in ('1004', '1005') order by deal_id, property_name, changed_at",
    ) == [
        ("1004", "amount", "6000.00", "2026-02-10 02:00:00+00"),
        ("1004", "closedate", "2026-03-12T02:00:00+00:00", "2026-02-10 02:00:00+00"),
        ("1004", "closedate", "2026-03-21T02:00:00+00:00", "2026-02-17 02:00:00+00"),
        ("1005", "amount", "10000.00", "2026-01-20 02:00:00+00"),
        ("1005", "amount", "11500.00", "2026-02-05 02:00:00+00"),
        ("1005", "closedate", "2026-02-19T02:00:00+00:00", "2026-01-20 02:00:00+00"),
        ("1005", "closedate", "2026-02-17T02:00:00+00:00", "2026-02-17 02:00:00+00"),
    ]
    counts = {
        table: table_rows(pipeline, f"select count(*) from {{raw}}.{table}")[0][0]
        for table in ("owners", "companies", "contacts", "calls", "meetings", "notes", "tasks")
    }
    assert counts == {
        "owners": 3,
        "companies": 6,
        "contacts": 2,
        "calls": 2,
        "meetings": 7,
        "notes": 1,
        "tasks": 1,
    }
    # visits and trainings keep their activity type; associations become columns
    assert table_rows(
        pipeline,
        "select id, hs_activity_type, deal_id from {raw}.meetings where id in "
        "('2001', '2005') order by id",
    ) == [("2001", "Visit", "1005"), ("2005", "Training", None)]


def test_a_rerun_loads_nothing_and_a_change_loads_alone(fake_hubspot, new_pipeline) -> None:
    data = crm_data()
    pipeline = new_pipeline("crm")
    server = fake_hubspot(data)
    pipeline.run(_source(server))
    pipeline.run(_source(server))
    assert loaded_rows(pipeline) == {}
    # deal 1004 moves to quote on 03-20 and its close date is pushed to 03-31; deal 1002 is
    # archived on 03-21
    deal = next(d for d in data.objects["deals"] if d["id"] == "1004")
    deal["properties"].update(
        dealstage="presentationscheduled",
        closedate="2026-03-31T02:00:00.000Z",
        hs_lastmodifieddate="2026-03-20T02:00:00.000Z",
    )
    deal["history"]["dealstage"].insert(
        0, {"value": "presentationscheduled", "timestamp": "2026-03-20T02:00:00.000Z"}
    )
    deal["history"]["closedate"].insert(
        0, {"value": "2026-03-31T02:00:00.000Z", "timestamp": "2026-03-20T02:00:00.000Z"}
    )
    lost = next(d for d in data.objects["deals"] if d["id"] == "1002")
    lost.update(archived=True, archivedAt="2026-03-21T02:00:00.000Z")
    server.state.refresh()
    pipeline.run(_source(server))
    # 1004 and 1002 again, and 1004's 3 stage changes and 4 amount and close-date versions
    # (merged: only the new ones are added)
    assert loaded_rows(pipeline) == {
        "deals": 2,
        "deal_stage_history": 3,
        "deal_property_history": 4,
    }
    assert table_rows(
        pipeline,
        "select id, dealstage, is_deleted from {raw}.deals where id in ('1002', '1004')"
        " order by id",
    ) == [("1002", "closedlost", True), ("1004", "presentationscheduled", False)]
    assert table_rows(
        pipeline, "select count(*) from {raw}.deal_stage_history where deal_id = '1004'"
    ) == [(3,)]
    assert table_rows(
        pipeline,
        "select value from {raw}.deal_property_history where deal_id = '1004'"
        " and property_name = 'closedate' order by changed_at",
    ) == [
        ("2026-03-12T02:00:00+00:00",),
        ("2026-03-21T02:00:00+00:00",),
        ("2026-03-31T02:00:00+00:00",),
    ]


def _contacts(n: int, tie_from: int, tie_to: int) -> list[dict[str, Any]]:
    """`n` contacts modified one second apart, except a run [tie_from, tie_to) sharing one
    timestamp, placed across the 10,000th result."""
    records = []
    for i in range(n):
        second = tie_from if tie_from <= i < tie_to else i
        stamp = (
            f"2026-01-{1 + second // 86400:02d}T{second % 86400 // 3600:02d}:"
            f"{second % 3600 // 60:02d}:{second % 60:02d}.000Z"
        )
        records.append(
            {
                "id": str(100000 + i),
                "properties": {
                    "email": f"c{i}@example.cn",
                    "lastmodifieddate": stamp,
                    "createdate": stamp,
                },
                "createdAt": stamp,
                "updatedAt": stamp,
                "archived": False,
            }
        )
    return records


def test_search_restarts_from_the_last_timestamp_at_10000_results(
    fake_hubspot, new_pipeline
) -> None:
    # 10,450 contacts; those at positions 9,950..10,049 share one timestamp, straddling the cap
    data = CrmData(objects={"contacts": _contacts(10_450, 9_950, 10_050)})
    pipeline = new_pipeline("crm")
    server = fake_hubspot(data)
    source = hubspot(base_url=server.url, access_token=TOKEN, request_timeout_s=30)
    pipeline.run(source.with_resources("contacts"))
    searches = [body for _, path, body in server.requests if path.endswith("/search")]
    # keyset paging (SearchPaginator): every page's query starts at the timestamp the page
    # before ended on, so the starts rise from the epoch and no query pages by offset towards
    # the 10,000 cap, across the tie too (100 records, less than a page of 200)
    starts = [int(body["filterGroups"][0]["filters"][0]["value"]) for body in searches]
    assert starts[0] == 0 and starts == sorted(set(starts))
    assert (1_767_225_600 + 9_950) * 1000 in starts  # a page ended in the tie: restarted there
    assert all("after" not in body for body in searches)
    assert table_rows(pipeline, "select count(*), count(distinct id) from {raw}.contacts") == [
        (10_450, 10_450)
    ]


def test_more_records_on_one_timestamp_than_the_cap_stop_with_a_clear_error(
    fake_hubspot, new_pipeline, monkeypatch
) -> None:
    # the same rule as at 10,000, with a cap of 1,000 on both sides to keep the test quick
    monkeypatch.setattr(crm_server, "SEARCH_RESULT_CAP", 1_000)
    monkeypatch.setattr(hubspot_settings, "SEARCH_RESULT_CAP", 1_000)
    data = CrmData(objects={"contacts": _contacts(1_300, 0, 1_300)})
    server = fake_hubspot(data)
    with pytest.raises(PipelineStepFailed) as failure:
        new_pipeline("crm").run(_source(server).with_resources("contacts"))
    assert "more than 1000 records share lastmodifieddate" in str(failure.value)


def test_new_properties_evolve_and_broken_deals_are_rejected(fake_hubspot, new_pipeline) -> None:
    data = crm_data()
    deals = {d["id"]: d for d in data.objects["deals"]}
    deals["1001"]["properties"]["hs_priority"] = "high"  # a property the table has not seen
    deals["1002"]["properties"]["amount"] = "15,000 元"
    deals["1005"]["properties"]["deal_currency_code"] = "RMB"
    # an amount version that is no number: rejected with its reason, the other versions load
    deals["1004"]["history"]["amount"].insert(
        0, {"value": "6,500 元", "timestamp": "2026-02-18T02:00:00.000Z"}
    )
    pipeline = new_pipeline("crm")
    server = fake_hubspot(data)
    pipeline.run(_source(server).with_resources("deals", "deal_property_history"))
    assert table_rows(pipeline, "select id, hs_priority from {raw}.deals order by id") == [
        ("1001", "high"),
        ("1003", None),
        ("1004", None),
        ("1006", None),
        ("1007", None),
    ]
    assert table_rows(
        pipeline, "select id, source_table, field, reason from {raw}.deals_rejected order by id"
    ) == [
        ("1002", "deals", "amount", "'15,000 元' is not a number"),
        ("1005", "deals", "deal_currency_code", "unknown currency 'RMB'"),
    ]
    assert table_rows(
        pipeline,
        "select deal_id, source_table, field, reason from {raw}.deal_property_history_rejected",
    ) == [("1004", "deal_property_history", "value", "'6,500 元' is not a number")]
    assert table_rows(
        pipeline,
        "select property_name, count(*) from {raw}.deal_property_history"
        " where deal_id = '1004' group by 1 order by 1",
    ) == [("amount", 1), ("closedate", 2)]


def test_a_portal_with_no_calls_loads_an_empty_calls_table(fake_hubspot, new_pipeline) -> None:
    """A portal that never logged a call (the type exists, holds nothing) loads everything
    else, and `calls` exists empty with its declared columns, so staging finds it."""
    full = crm_data()
    data = CrmData(
        objects={**full.objects, "calls": []}, owners=full.owners, pipelines=full.pipelines
    )
    pipeline = new_pipeline("crm")
    server = fake_hubspot(data)
    pipeline.run(_source(server))
    pipeline.run(_source(server))  # and again, incrementally, still with none
    assert table_rows(pipeline, "select count(*) from {raw}.calls") == [(0,)]
    deals = table_rows(pipeline, "select count(*) from {raw}.deals")
    assert deals == [(7,)]
    columns = table_rows(
        pipeline,
        "select column_name from information_schema.columns"
        " where table_schema = '{raw}' and table_name = 'calls'",
    )
    assert {"id", "hs_lastmodifieddate"} <= {name for (name,) in columns}
