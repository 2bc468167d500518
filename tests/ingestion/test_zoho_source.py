"""The Zoho CRM source against the fake Zoho server: the tiny company's org through rate
limits, server errors, cut-off JSON and an expired token; stage history from `Stage_History`;
reruns and `If-Modified-Since` increments; paging past the 2,000 records `page` reaches by
`page_token`; deletes from the deleted-records endpoint; custom fields; credentials and the
data centre."""

from __future__ import annotations

import os
import urllib.error
import urllib.request
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest
from dlt.pipeline.exceptions import PipelineStepFailed
from fixtures.loads import loaded_rows, table_rows
from fixtures.tiny_company.crm import crm_data

from ingestion.demo.fake_api import FaultPlan
from ingestion.demo.zoho_records import ORG_ROLE_FIELDS, zoho_org
from ingestion.demo.zoho_server import ZohoOrg, ZohoServer, ZohoState
from ingestion.sources.zoho import zoho
from ingestion.sources.zoho.helpers import accounts_url

FAST_RETRIES = {"request_timeout_s": 2.0, "max_attempts": 5, "backoff_factor": 0.05}


@pytest.fixture
def fake_zoho(serve) -> Callable[..., ZohoServer]:
    """The fake Zoho CRM (accounts server and API on one address) serving `org`."""

    def start(org: ZohoOrg, faults: FaultPlan | None = None) -> ZohoServer:
        return serve(ZohoServer(ZohoState(org), faults=faults))

    return start


def _source(server: ZohoServer, **options: Any):
    org = server.state.org
    return zoho(
        client_id=org.client_id,
        client_secret=org.client_secret,
        refresh_token=org.refresh_token,
        data_centre=server.url,  # the accounts server; the API domain comes with the token
        role_fields=ORG_ROLE_FIELDS,
        **{**FAST_RETRIES, **options},
    )


def _deal(org: ZohoOrg, deal_id: str) -> dict[str, Any]:
    return next(r for r in org.modules["Deals"] if r["id"] == deal_id)


def test_loads_the_org_through_limits_failures_and_an_expired_token(
    fake_zoho, new_pipeline
) -> None:
    # data requests 2-3: HTTP 429 TOO_MANY_REQUESTS; 5: a 500; 7: JSON cut in half; 9: every
    # token revoked (HTTP 401): a new token is fetched with the refresh token, the request repeated
    faults = FaultPlan(at_request={2: "429", 3: "429", 5: "500", 7: "truncate", 9: "expire"})
    pipeline = new_pipeline("zoho")
    server = fake_zoho(zoho_org(crm_data()), faults)
    pipeline.run(_source(server))
    assert server.state.tokens_issued == 2
    served = len(server.requests)
    assert served > 9
    assert table_rows(
        pipeline,
        "select id, stage, amount, currency, loss_reason, owner_id, account_name_id"
        " from {raw}.deals order by id",
    ) == [
        ("1001", "closedwon", Decimal("27000.00"), "CNY", None, "102", "501"),
        ("1002", "closedlost", Decimal("15000.00"), "CNY", "Price", "102", "502"),
        ("1003", "closedwon", Decimal("2000.00"), "USD", None, "103", "504"),
        ("1004", "qualifiedtobuy", Decimal("6000.00"), "CNY", None, "103", "501"),
        ("1005", "closedlost", Decimal("11500.00"), "CNY", "Budget", "101", "505"),
        ("1007", "closedwon", Decimal("8000.00"), "CNY", None, "102", "506"),
    ]
    # 1006 was deleted before the first load: Zoho lists it only among the deleted records
    assert table_rows(pipeline, "select module, id, type from {raw}.deleted_records") == [
        ("Deals", "1006", "recycle")
    ]
    # stage history: 4 + 3 + 6 + 2 + 2 + 4 changes of the six deals Zoho still has
    assert table_rows(
        pipeline,
        "select count(*), count(distinct deal_id) from {raw}.deal_stage_history",
    ) == [(21, 6)]
    assert table_rows(
        pipeline,
        "select stage, probability, modified_time from {raw}.deal_stage_history"
        " where deal_id = '1002' order by modified_time",
    ) == [
        ("appointmentscheduled", Decimal("10"), _utc("2026-01-08T02:00")),
        ("qualifiedtobuy", Decimal("20"), _utc("2026-01-15T02:00")),
        ("closedlost", Decimal("0"), _utc("2026-01-29T02:00")),
    ]
    counts = {
        table: table_rows(pipeline, f"select count(*) from {{raw}}.{table}")[0][0]
        for table in ("users", "accounts", "contacts", "calls", "tasks", "meetings", "notes")
    }
    assert counts == {
        "users": 3,
        "accounts": 6,
        "contacts": 2,
        "calls": 2,
        "tasks": 1,
        "meetings": 7,  # 4 visits, 2 trainings, 1 meeting
        "notes": 1,
    }
    assert table_rows(
        pipeline,
        "select id, meeting_type, what_id_id, se_module from {raw}.meetings"
        " where id in ('2001', '2005') order by id",
    ) == [("2001", "Visit", "1005", "Deals"), ("2005", "Training", None, None)]
    assert table_rows(
        pipeline,
        "select stage, probability, forecast_type, forecast_category, sequence_number"
        " from {raw}.pipeline_stages where forecast_type <> 'Open' order by stage",
    ) == [
        ("closedlost", Decimal("0"), "Closed Lost", "Omitted", 6),
        ("closedwon", Decimal("100"), "Closed Won", "Closed", 5),
    ]
    assert table_rows(pipeline, "select id, team_id, status from {raw}.users order by id") == [
        ("101", "11", "active"),
        ("102", "11", "active"),
        ("103", "12", "active"),
    ]


def _utc(minute: str):
    from datetime import UTC, datetime

    return datetime.fromisoformat(minute).replace(tzinfo=UTC)


def test_a_rerun_loads_nothing_and_changes_come_by_if_modified_since(
    fake_zoho, new_pipeline
) -> None:
    org = zoho_org(crm_data())
    pipeline = new_pipeline("zoho")
    server = fake_zoho(org)
    pipeline.run(_source(server))
    first = len(server.requests)
    pipeline.run(_source(server))
    assert loaded_rows(pipeline) == {}
    rerun = server.requests[first:]
    # every list asked only for what changed since the last load: nothing (HTTP 304)
    assert all("Stage_History" not in path for path in rerun)
    # 1004 moves to quote; the change is in its stage history too
    _deal(org, "1004").update(
        Stage="presentationscheduled", Modified_Time="2026-03-12T05:00:00+00:00"
    )
    org.stage_history["1004"].append(
        {
            "id": "81004003",
            "Stage": "presentationscheduled",
            "Amount": Decimal("6000.00"),
            "Closing_Date": "2026-02-10",
            "Probability": 40,
            "Modified_Time": "2026-03-12T05:00:00+00:00",
        }
    )
    pipeline.run(_source(server))
    # the boundary deal 1007 (modified 2026-03-10T02:00, read again) is dropped by the cursor
    assert loaded_rows(pipeline) == {"deals": 1, "deal_stage_history": 3}
    assert table_rows(
        pipeline, "select stage from {raw}.deal_stage_history where deal_id = '1004' order by 1"
    ) == [("appointmentscheduled",), ("presentationscheduled",), ("qualifiedtobuy",)]
    assert table_rows(pipeline, "select count(*), count(distinct id) from {raw}.deals") == [(6, 6)]


def _contacts(n: int) -> list[dict[str, Any]]:
    return [
        {
            "id": f"3{i:06d}",
            "Account_Name": None,
            "Email": f"c{i}@example.cn",
            "Lead_Source": "Web",
            "Owner": {"id": "101", "name": "Alice Wang"},
            "Created_Time": f"2026-01-01T{i // 3600:02d}:{i // 60 % 60:02d}:{i % 60:02d}+00:00",
            "Modified_Time": f"2026-01-01T{i // 3600:02d}:{i // 60 % 60:02d}:{i % 60:02d}+00:00",
        }
        for i in range(n)
    ]


def test_pages_past_2000_records_by_page_token_and_deletes_come_from_the_deleted_list(
    fake_zoho,
    new_pipeline,
) -> None:
    # 2,050 contacts: 11 pages of 200; `page=11` is refused, the page token goes on
    org = ZohoOrg(modules={"Contacts": _contacts(2050)})
    pipeline = new_pipeline("zoho")
    server = fake_zoho(org)
    pipeline.run(_source(server).with_resources("contacts", "deleted_records"))
    contact_pages = [path for path in server.requests if path.startswith("/crm/v8/Contacts?")]
    token = server.state.issue_token()
    request = urllib.request.Request(
        f"{server.url}/crm/v8/Contacts?fields=Email&per_page=200&page=11",
        headers={"Authorization": f"Zoho-oauthtoken {token}"},
    )
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(request, timeout=5)
    # two contacts are deleted
    for record in org.modules["Contacts"][10:12]:
        org.modules["Contacts"].remove(record)
        org.deleted.setdefault("Contacts", []).append(
            {
                "id": record["id"],
                "display_name": record["Email"],
                "type": "recycle",
                "deleted_time": "2026-02-01T00:00:00+00:00",
            }
        )
    pipeline.run(_source(server).with_resources("contacts", "deleted_records"))
    assert refused.value.code == 400
    assert b"DISCRETE_PAGINATION_LIMIT_EXCEEDED" in refused.value.read()
    assert len(contact_pages) == 11
    assert all("page_token=" in path for path in contact_pages[1:])
    assert table_rows(pipeline, "select count(*), count(distinct id) from {raw}.contacts") == [
        (2050, 2050)
    ]
    assert loaded_rows(pipeline) == {"deleted_records": 2}
    assert table_rows(pipeline, "select module, id from {raw}.deleted_records order by id") == [
        ("Contacts", "3000010"),
        ("Contacts", "3000011"),
    ]


def test_custom_fields_pass_through_and_an_unknown_one_names_the_fix(
    fake_zoho, new_pipeline
) -> None:
    org = zoho_org(crm_data())
    for record in org.modules["Deals"]:
        record["Priority"] = "High" if record["id"] == "1001" else None
    _deal(org, "1005")["Currency"] = "RMB"
    pipeline = new_pipeline("zoho")
    server = fake_zoho(org)
    source = _source(server, custom_fields={"Deals": ["Priority"]})
    pipeline.run(source.with_resources("deals"))
    assert table_rows(
        pipeline, "select id, priority from {raw}.deals where id < '1004' order by id"
    ) == [("1001", "High"), ("1002", None), ("1003", None)]
    assert table_rows(pipeline, "select id, field, reason from {raw}.deals_rejected") == [
        ("1005", "Currency", "unknown currency 'RMB'")
    ]
    source = _source(server, custom_fields={"Deals": ["Margin"]}, max_attempts=1)
    with pytest.raises(PipelineStepFailed) as failure:
        new_pipeline("zoho").run(source.with_resources("deals"))
    message = str(failure.value)
    assert "no field Margin in Deals" in message
    assert "sources.zoho.custom_fields" in message


def test_wrong_credentials_fail_naming_the_settings_never_the_secret(
    fake_zoho, new_pipeline
) -> None:
    org = zoho_org(crm_data())
    server = fake_zoho(org)
    with pytest.raises(PipelineStepFailed) as failure:
        source = zoho(
            client_id=org.client_id,
            client_secret=org.client_secret,
            refresh_token="1000.not-the-token-4711",
            data_centre=server.url,
            **FAST_RETRIES,
        )
        new_pipeline("zoho").run(source.with_resources("users"))
    message = str(failure.value)
    assert "invalid_code" in message
    assert "sources.zoho.client_id, client_secret and refresh_token" in message
    assert "not-the-token-4711" not in message


def test_the_api_is_called_on_the_domain_the_token_answer_names(serve, new_pipeline) -> None:
    # the accounts server of the data centre issues the token; the data requests go to the
    # `api_domain` it answers (a second server holding the same org)
    state = ZohoState(zoho_org(crm_data()))
    accounts, api = serve(ZohoServer(state)), serve(ZohoServer(state))
    accounts.api_domain = api.url
    org = state.org
    source = zoho(
        client_id=org.client_id,
        client_secret=org.client_secret,
        refresh_token=org.refresh_token,
        data_centre=accounts.url,
        **FAST_RETRIES,
    )
    pipeline = new_pipeline("zoho")
    pipeline.run(source.with_resources("users"))
    assert accounts.requests == []  # only the token request (POST), which is not a data request
    assert api.requests[0].startswith("/crm/v8/users?type=AllUsers")
    assert table_rows(pipeline, "select count(*) from {raw}.users") == [(3,)]


def test_the_data_centre_names_the_accounts_server() -> None:
    assert accounts_url("com") == "https://accounts.zoho.com"
    assert accounts_url("com.cn") == "https://accounts.zoho.com.cn"
    assert accounts_url("eu") == "https://accounts.zoho.eu"
    with pytest.raises(ValueError, match="use one of com, com.cn, eu, in, com.au, jp, ca, sa, uk"):
        accounts_url("cn")


def test_the_demo_crm_setting_can_pick_zoho(monkeypatch: pytest.MonkeyPatch, tmp_path) -> None:
    from ingestion.demo.settings import write_demo_sources
    from ingestion.source_settings import demo_mode, source_settings

    for name in [name for name in os.environ if name.startswith("SOURCES__")]:
        monkeypatch.delenv(name)
    monkeypatch.setenv("SPW_STATE_DIR", str(tmp_path))
    write_demo_sources(
        {
            "hubspot": {"base_url": "http://127.0.0.1:1", "access_token": "demo-token"},
            "zoho": {"data_centre": "http://127.0.0.1:3", "client_id": "demo-client"},
        }
    )
    assert demo_mode()
    assert source_settings("zoho") is None  # HubSpot unless set
    monkeypatch.setenv("SOURCES__DEMO_CRM", "zoho")
    assert source_settings("hubspot") is None
    assert source_settings("zoho") == {
        "data_centre": "http://127.0.0.1:3",
        "client_id": "demo-client",
    }
    # one's own org configured: demo mode ends
    monkeypatch.setenv("SOURCES__ZOHO__CLIENT_ID", "own-client")
    assert not demo_mode()
    assert source_settings("zoho") == {"client_id": "own-client"}
