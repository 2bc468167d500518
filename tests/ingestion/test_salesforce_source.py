"""The Salesforce source against the fake Salesforce server: the tiny company's org through
rate limits, failures and an expired token; reruns, changes and the `>=` boundary; paging by
`nextRecordsUrl`; deletes through `queryAll`; custom fields; credentials that fail; the JWT
bearer flow; Bulk API 2.0 query jobs."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from decimal import Decimal
from typing import Any

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from dlt.pipeline.exceptions import PipelineStepFailed
from fixtures.loads import loaded_rows, table_rows
from fixtures.tiny_company.crm import crm_data

from ingestion.demo.crm_server import FaultPlan
from ingestion.demo.salesforce_records import ORG_ROLE_FIELDS, salesforce_org
from ingestion.demo.salesforce_server import SalesforceOrg, SalesforceServer, SalesforceState
from ingestion.sources.salesforce import salesforce
from ingestion.sources.salesforce.auth import SalesforceConfigError

FAST_RETRIES = {"request_timeout_s": 2.0, "max_attempts": 5, "backoff_factor": 0.05}
REST_ONLY = {"bulk_min_records": None}
ALWAYS_BULK = {"bulk_min_records": 0, "bulk_poll_interval_s": 0.01}


@contextmanager
def fake_salesforce(
    org: SalesforceOrg, faults: FaultPlan | None = None, batch_size: int = 2000
) -> Iterator[SalesforceServer]:
    server = SalesforceServer(SalesforceState(org, batch_size=batch_size), faults=faults)
    server.start_in_thread()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()


def _source(server: SalesforceServer, **options: Any):
    org = server.state.org
    return salesforce(
        instance_url=server.url,
        client_id=org.client_id,
        client_secret=org.client_secret,
        role_fields=ORG_ROLE_FIELDS,
        **{**FAST_RETRIES, **REST_ONLY, **options},
    )


def _opportunity(org: SalesforceOrg, opportunity_id: str) -> dict[str, Any]:
    return next(r for r in org.objects["Opportunity"] if r["Id"] == opportunity_id)


def test_loads_the_org_through_limits_failures_and_an_expired_token(new_pipeline) -> None:
    # data requests 2-3: REQUEST_LIMIT_EXCEEDED (HTTP 403); 5: a 503; 7: JSON cut in half;
    # 9: every token revoked (HTTP 401): a new token is fetched and the request repeated
    faults = FaultPlan(at_request={2: "limit", 3: "limit", 5: "500", 7: "truncate", 9: "expire"})
    pipeline = new_pipeline("salesforce")
    with fake_salesforce(salesforce_org(crm_data()), faults) as server:
        pipeline.run(_source(server))
        assert server.state.tokens_issued == 2
        served = len(server.requests)
    assert served > 9
    assert table_rows(
        pipeline,
        "select id, stage_name, amount, currency_iso_code, loss_reason, is_deleted"
        " from {raw}.opportunities order by id",
    ) == [
        ("1001", "closedwon", Decimal("27000.00"), "CNY", None, False),
        ("1002", "closedlost", Decimal("15000.00"), "CNY", "Price", False),
        ("1003", "closedwon", Decimal("2000.00"), "USD", None, False),
        ("1004", "qualifiedtobuy", Decimal("6000.00"), "CNY", None, False),
        ("1005", "closedlost", Decimal("11500.00"), "CNY", "Budget", False),
        ("1006", "appointmentscheduled", Decimal("1000.00"), "CNY", None, True),  # queryAll
        ("1007", "closedwon", Decimal("8000.00"), "CNY", None, False),
    ]
    # history: 4 + 3 + 6 + 2 + 2 + 1 + 4 stage changes and 1005's amount change on 02-05, which
    # is no stage change (the others fall on a stage change); deal 1006's is deleted with it
    assert table_rows(
        pipeline,
        "select count(*), count(*) filter (where is_deleted) from {raw}.opportunity_history",
    ) == [(23, 1)]
    # each row a snapshot of stage, amount and close date as they stood after the change
    assert table_rows(
        pipeline,
        "select stage_name, amount, close_date::text from {raw}.opportunity_history"
        " where opportunity_id = '1005' order by created_date",
    ) == [
        ("appointmentscheduled", Decimal("10000.00"), "2026-02-19"),
        ("appointmentscheduled", Decimal("11500.00"), "2026-02-19"),
        ("closedlost", Decimal("11500.00"), "2026-02-17"),
    ]
    counts = {
        table: table_rows(pipeline, f"select count(*) from {{raw}}.{table}")[0][0]
        for table in ("users", "opportunity_stages", "accounts", "contacts", "tasks", "events")
    }
    assert counts == {
        "users": 3,
        "opportunity_stages": 7,
        "accounts": 6,
        "contacts": 2,
        "tasks": 4,  # 2 calls, 1 note, 1 task
        "events": 7,  # 4 visits, 2 trainings, 1 meeting
    }
    assert table_rows(
        pipeline,
        "select id, type, what_id, what_type from {raw}.events where id in ('2001', '2005')"
        " order by id",
    ) == [("2001", "Visit", "1005", "Opportunity"), ("2005", "Training", None, None)]
    assert table_rows(
        pipeline,
        "select api_name, default_probability, is_won from {raw}.opportunity_stages"
        " where is_closed order by api_name",
    ) == [("closedlost", Decimal("0"), False), ("closedwon", Decimal("100"), True)]


def test_a_rerun_loads_nothing_and_a_record_saved_on_the_last_stamp_is_not_lost(
    new_pipeline,
) -> None:
    org = salesforce_org(crm_data())
    pipeline = new_pipeline("salesforce")
    with fake_salesforce(org) as server:
        pipeline.run(_source(server))
        pipeline.run(_source(server))
        assert loaded_rows(pipeline) == {}
        # the newest opportunity change is 1007's, 2026-03-10T02:00; another opportunity is
        # saved in the same millisecond after the first run read: `>` would never see it
        last = max(r["SystemModstamp"] for r in org.objects["Opportunity"])
        assert last == "2026-03-10T02:00:00.000+0000"
        org.objects["Opportunity"].append(
            {
                **_opportunity(org, "1004"),
                "Id": "1008",
                "Name": "Deal 1008",
                "CreatedDate": last,
                "SystemModstamp": last,
            }
        )
        # and 1004 moves to quote later that day
        _opportunity(org, "1004").update(
            StageName="presentationscheduled", SystemModstamp="2026-03-10T05:00:00.000+0000"
        )
        pipeline.run(_source(server).with_resources("opportunities"))
    # 1007 (on the boundary, seen before) is dropped by (Id, SystemModstamp); 1008 and 1004 load
    assert loaded_rows(pipeline) == {"opportunities": 2}
    assert table_rows(
        pipeline,
        "select id, stage_name from {raw}.opportunities where id in ('1004', '1007', '1008')"
        " order by id",
    ) == [("1004", "presentationscheduled"), ("1007", "closedwon"), ("1008", "qualifiedtobuy")]
    assert table_rows(pipeline, "select count(*), count(distinct id) from {raw}.opportunities") == [
        (8, 8)
    ]


def test_a_new_history_row_loads_alone_and_a_rerun_loads_nothing(new_pipeline) -> None:
    org = salesforce_org(crm_data())
    pipeline = new_pipeline("salesforce")
    with fake_salesforce(org) as server:
        pipeline.run(_source(server).with_resources("opportunity_history"))
        pipeline.run(_source(server).with_resources("opportunity_history"))
        assert loaded_rows(pipeline) == {}
        # on 03-18 1004's close date is pushed from 03-21 to 03-31: Salesforce writes a row
        # holding the stage, amount and close date after the change
        stamp = "2026-03-18T02:00:00.000+0000"
        org.objects["OpportunityHistory"].append(
            {
                **next(r for r in org.objects["OpportunityHistory"] if r["Id"] == "0081004H2"),
                "Id": "0081004H3",
                "CloseDate": "2026-03-31",
                "CreatedDate": stamp,
                "SystemModstamp": stamp,
            }
        )
        pipeline.run(_source(server).with_resources("opportunity_history"))
        assert loaded_rows(pipeline) == {"opportunity_history": 1}
        pipeline.run(_source(server).with_resources("opportunity_history"))
        assert loaded_rows(pipeline) == {}
    # created 02-10 to close 03-12, pushed to 03-21 when it qualified on 02-17, then to 03-31
    assert table_rows(
        pipeline,
        "select stage_name, amount, close_date::text from {raw}.opportunity_history"
        " where opportunity_id = '1004' order by created_date",
    ) == [
        ("appointmentscheduled", Decimal("6000.00"), "2026-03-12"),
        ("qualifiedtobuy", Decimal("6000.00"), "2026-03-21"),
        ("qualifiedtobuy", Decimal("6000.00"), "2026-03-31"),
    ]


def _contacts(n: int) -> list[dict[str, Any]]:
    return [
        {
            "Id": f"003{i:06d}",
            "AccountId": None,
            "Email": f"c{i}@example.cn",
            "LeadSource": "Web",
            "OwnerId": "101",
            "CreatedDate": f"2026-01-01T00:{i // 60 % 60:02d}:{i % 60:02d}.000+0000",
            "SystemModstamp": f"2026-01-01T00:{i // 60 % 60:02d}:{i % 60:02d}.000+0000",
            "IsDeleted": False,
        }
        for i in range(n)
    ]


def test_pages_follow_next_records_url_and_deletes_come_from_query_all(new_pipeline) -> None:
    # 450 contacts in pages of 200: the query answers 200 and `nextRecordsUrl` twice
    org = SalesforceOrg(objects={"Contact": _contacts(450)})
    pipeline = new_pipeline("salesforce")
    with fake_salesforce(org, batch_size=200) as server:
        pipeline.run(_source(server).with_resources("contacts"))
        first = list(server.requests)
        # two contacts are deleted (to the recycle bin): only queryAll returns them
        for record in org.objects["Contact"][10:12]:
            record.update(IsDeleted=True, SystemModstamp="2026-02-01T00:00:00.000+0000")
        pipeline.run(_source(server).with_resources("contacts"))
        second = server.requests[len(first) :]
    assert [path.split("?")[0].rsplit("/", 1)[-1] for path in first] == [
        "query",
        "01gFAKE00000001-200",
        "01gFAKE00000002-400",
        "queryAll",
    ]
    assert "IsDeleted%20%3D%20true" in first[-1]
    assert table_rows(pipeline, "select count(*), count(distinct id) from {raw}.contacts") == [
        (450, 450)
    ]
    assert loaded_rows(pipeline) == {"contacts": 2}
    assert any("queryAll" in path for path in second)
    assert table_rows(pipeline, "select id from {raw}.contacts where is_deleted order by id") == [
        ("003000010",),
        ("003000011",),
    ]


def test_custom_fields_pass_through_and_an_unknown_one_names_the_fix(new_pipeline) -> None:
    org = salesforce_org(crm_data())
    for record in org.objects["Opportunity"]:
        record["Priority__c"] = "High" if record["Id"] == "1001" else None
    _opportunity(org, "1005")["CurrencyIsoCode"] = "RMB"
    pipeline = new_pipeline("salesforce")
    with fake_salesforce(org) as server:
        source = _source(server, custom_fields={"Opportunity": ["Priority__c"]})
        pipeline.run(source.with_resources("opportunities"))
        assert table_rows(
            pipeline,
            "select id, priority__c from {raw}.opportunities where id < '1004' order by id",
        ) == [("1001", "High"), ("1002", None), ("1003", None)]
        assert table_rows(
            pipeline, "select id, field, reason from {raw}.opportunities_rejected"
        ) == [("1005", "CurrencyIsoCode", "unknown currency 'RMB'")]
        source = _source(server, custom_fields={"Opportunity": ["Margin__c"]}, max_attempts=1)
        with pytest.raises(PipelineStepFailed) as failure:
            new_pipeline("salesforce").run(source.with_resources("opportunities"))
    message = str(failure.value)
    assert "No such column 'Margin__c' on entity 'Opportunity'" in message
    assert "sources.salesforce.custom_fields" in message


def test_wrong_credentials_fail_naming_the_settings_never_the_secret(new_pipeline) -> None:
    org = salesforce_org(crm_data())
    with fake_salesforce(org) as server, pytest.raises(PipelineStepFailed) as failure:
        source = salesforce(
            instance_url=server.url,
            client_id=org.client_id,
            client_secret="not-the-secret-4711",
            **FAST_RETRIES,
        )
        new_pipeline("salesforce").run(source.with_resources("users"))
    message = str(failure.value)
    assert "invalid client credentials" in message
    assert "sources.salesforce.client_id and client_secret" in message
    assert "not-the-secret-4711" not in message


def test_the_demo_crm_setting_picks_the_api_the_demo_loads_through(
    monkeypatch: pytest.MonkeyPatch, tmp_path
) -> None:
    from ingestion.demo.settings import write_demo_sources
    from ingestion.source_settings import demo_mode, source_settings

    for name in [name for name in os.environ if name.startswith("SOURCES__")]:
        monkeypatch.delenv(name)
    monkeypatch.setenv("SPW_STATE_DIR", str(tmp_path))
    write_demo_sources(
        {
            "hubspot": {"base_url": "http://127.0.0.1:1", "access_token": "demo-token"},
            "salesforce": {"instance_url": "http://127.0.0.1:2", "client_id": "demo-app"},
        }
    )
    assert demo_mode()
    assert source_settings("hubspot") == {
        "base_url": "http://127.0.0.1:1",
        "access_token": "demo-token",
    }
    assert source_settings("salesforce") is None  # HubSpot unless set
    monkeypatch.setenv("SOURCES__DEMO_CRM", "salesforce")
    assert source_settings("hubspot") is None
    assert source_settings("salesforce") == {
        "instance_url": "http://127.0.0.1:2",
        "client_id": "demo-app",
    }
    monkeypatch.setenv("SOURCES__DEMO_CRM", "pipedrive")
    with pytest.raises(ValueError, match="names no CRM API: use one of hubspot, salesforce"):
        source_settings("salesforce")
    # one's own org configured: demo mode ends, and HubSpot (not configured) is skipped
    monkeypatch.setenv("SOURCES__SALESFORCE__CLIENT_ID", "own-app")
    assert not demo_mode()
    assert source_settings("salesforce") == {"client_id": "own-app"}
    assert source_settings("hubspot") is None


def _key_pair() -> tuple[str, str]:
    """A connected app's key: the private key (PEM) and its certificate's public key (PEM)."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    private = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode()
    public = (
        key.public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
        .decode()
    )
    return private, public


def _jwt_source(server: SalesforceServer, private_key: str, **options: Any):
    org = server.state.org
    return salesforce(
        instance_url=server.url,
        client_id=org.client_id,
        private_key=private_key,
        username=org.jwt_username,
        role_fields=ORG_ROLE_FIELDS,
        **{**FAST_RETRIES, **REST_ONLY, **options},
    )


def test_the_jwt_bearer_flow_loads_and_a_wrong_key_is_refused(new_pipeline) -> None:
    private_key, public_key = _key_pair()
    org = salesforce_org(crm_data())
    org.jwt_public_key = public_key
    pipeline = new_pipeline("salesforce")
    # data request 3 revokes every token: a new assertion is signed and a new token issued
    with fake_salesforce(org, FaultPlan(at_request={3: "expire"})) as server:
        pipeline.run(_jwt_source(server, private_key).with_resources("users", "opportunities"))
        assert server.state.tokens_issued == 2
        other_key, _ = _key_pair()
        with pytest.raises(PipelineStepFailed) as failure:
            new_pipeline("salesforce").run(_jwt_source(server, other_key).with_resources("users"))
    assert loaded_rows(pipeline) == {"users": 3, "opportunities": 7}
    message = str(failure.value)
    assert "JWT bearer flow" in message
    assert "invalid_grant: invalid assertion" in message
    assert "sources.salesforce.private_key matches the certificate" in message
    assert "PRIVATE KEY" not in message


def test_a_half_configured_sign_in_fails_before_any_request_naming_the_missing_secret() -> None:
    private_key, _ = _key_pair()
    app = {"instance_url": "http://127.0.0.1:9", "client_id": "app"}
    with pytest.raises(SalesforceConfigError, match=r"sources\.salesforce\.username is not set"):
        salesforce(**app, private_key=private_key)
    with pytest.raises(SalesforceConfigError, match=r"sources\.salesforce\.private_key is not set"):
        salesforce(**app, username="integration@example.com")
    with pytest.raises(SalesforceConfigError, match="not a PEM private key"):
        salesforce(**app, username="integration@example.com", private_key="/keys/server.key")
    with pytest.raises(
        SalesforceConfigError, match=r"client_secret is not set: set it .* or private_key"
    ):
        salesforce(**app)


BULK_TABLES = ("opportunities", "opportunity_history", "opportunity_line_items", "tasks", "events")


def _rows_and_types(pipeline, table: str) -> tuple[list[tuple], list[tuple]]:
    """Every row of `table` (dlt's own columns aside), by id, and its columns' types."""
    columns = table_rows(
        pipeline,
        "select column_name, data_type from information_schema.columns"
        f" where table_schema = '{{raw}}' and table_name = '{table}'"
        " and column_name not like '\\_dlt%' order by column_name",
    )
    names = ", ".join(name for name, _ in columns)
    return table_rows(pipeline, f"select {names} from {{raw}}.{table} order by id"), columns


def test_a_first_load_through_bulk_jobs_lands_the_rows_rest_does(new_pipeline) -> None:
    org = salesforce_org(crm_data())
    stamp = "2026-02-01T08:30:00.000+0000"
    line = {"CreatedDate": stamp, "SystemModstamp": stamp, "IsDeleted": False}
    org.objects["OpportunityLineItem"] = [
        {
            **line,
            "Id": "00k1",
            "OpportunityId": "1001",
            "Product2Id": "01t1",
            "Quantity": 3,
            "UnitPrice": Decimal("9000.00"),
            "TotalPrice": Decimal("27000.00"),
            "CurrencyIsoCode": "CNY",
        },
        {
            **line,
            "Id": "00k2",
            "OpportunityId": "1004",
            "Product2Id": "01t2",
            "Quantity": Decimal("1.5"),
            "UnitPrice": None,
            "TotalPrice": None,
            "CurrencyIsoCode": "CNY",
        },
    ]
    rest, bulk = new_pipeline("salesforce"), new_pipeline("salesforce")
    with fake_salesforce(org) as server:
        rest.run(_source(server).with_resources(*BULK_TABLES))
        rest_requests = len(server.requests)
        # results in sets of 2 records: 7 opportunities take 4 sets, 3 locators followed
        bulk.run(_source(server, bulk_max_records=2, **ALWAYS_BULK).with_resources(*BULK_TABLES))
        bulk_requests = server.requests[rest_requests:]
        bulk.run(_source(server, **ALWAYS_BULK).with_resources(*BULK_TABLES))
        assert loaded_rows(bulk) == {}  # a rerun through Bulk loads nothing
    assert not any("/jobs/" in path for path in server.requests[:rest_requests])
    # over REST only the (small) record types, to know whether opportunities have RecordTypeId
    rest_reads = [path for path in bulk_requests if "/query?" in path or "/queryAll?" in path]
    assert rest_reads and all("FROM%20RecordType%20" in path for path in rest_reads)
    results = [path for path in bulk_requests if "/results?" in path]
    assert sum("locator=" in path for path in results) > 0
    opportunity_jobs = {
        job.id for job in server.state.jobs.values() if job.query.sobject == "Opportunity"
    }
    assert len(opportunity_jobs) == 4  # query and queryAll, on the first load and the rerun
    for table in BULK_TABLES:
        rows, columns = _rows_and_types(bulk, table)
        assert rows and len(columns) > 8, table
        assert (rows, columns) == _rows_and_types(rest, table), table
    # the deleted deal came through the queryAll job
    assert table_rows(bulk, "select id from {raw}.opportunities where is_deleted") == [("1006",)]


def test_bulk_is_used_from_the_threshold_and_a_failed_job_fails_the_load_naming_it(
    new_pipeline,
) -> None:
    org = salesforce_org(crm_data())
    with fake_salesforce(org) as server:
        # 7 opportunities (1 deleted) to read: under a threshold of 8, REST after the count
        pipeline = new_pipeline("salesforce")
        pipeline.run(_source(server, bulk_min_records=8).with_resources("opportunities"))
        assert [path.split("?")[0].rsplit("/", 1)[-1] for path in server.requests] == [
            "query",  # the opportunity record types (none)
            "queryAll",  # SELECT COUNT()
            "query",
            "queryAll",
        ]
        assert "COUNT%28%29" in server.requests[1]
        server.state.bulk_failures["Opportunity"] = (
            "InvalidBatch : Failed to process query: OPERATION_TOO_LARGE"
        )
        with pytest.raises(PipelineStepFailed) as failure:
            options = {**ALWAYS_BULK, "bulk_min_records": 7}
            new_pipeline("salesforce").run(
                _source(server, **options).with_resources("opportunities")
            )
    message = str(failure.value)
    assert "Bulk API query job 750FAKE" in message
    assert "(query on Opportunity) ended Failed" in message
    assert "OPERATION_TOO_LARGE" in message


def test_record_types_load_with_their_sales_process_stages(new_pipeline) -> None:
    # two sales processes: new business (record type 012A) goes through qualification and a
    # presentation, renewals (012B) straight from an appointment to a decision
    org = salesforce_org(crm_data())
    stamp = "2026-01-01T00:00:00.000+0000"
    org.objects["RecordType"] = [
        {
            "Id": rt,
            "Name": name,
            "DeveloperName": name.replace(" ", "_"),
            "SobjectType": "Opportunity",
            "BusinessProcessId": process,
            "IsActive": True,
            "CreatedDate": stamp,
            "SystemModstamp": stamp,
        }
        for rt, name, process in (("012A", "New Business", "019A"), ("012B", "Renewal", "019B"))
    ] + [
        {
            "Id": "012C",
            "Name": "Partner",
            "DeveloperName": "Partner",
            "SobjectType": "Account",
            "BusinessProcessId": None,
            "IsActive": True,
            "CreatedDate": stamp,
            "SystemModstamp": stamp,
        }
    ]
    org.record_type_stages = {
        "012A": [
            "appointmentscheduled",
            "qualifiedtobuy",
            "presentationscheduled",
            "closedwon",
            "closedlost",
        ],
        "012B": ["appointmentscheduled", "closedwon", "closedlost"],
    }
    for record in org.objects["Opportunity"]:
        record["RecordTypeId"] = "012B" if record["Id"] in ("1003", "1007") else "012A"
    pipeline = new_pipeline("salesforce")
    with fake_salesforce(org) as server:
        pipeline.run(
            _source(server).with_resources("record_types", "record_type_stages", "opportunities")
        )
    assert table_rows(
        pipeline, "select id, name, business_process_id from {raw}.record_types order by id"
    ) == [("012A", "New Business", "019A"), ("012B", "Renewal", "019B"), ("012C", "Partner", None)]
    assert table_rows(
        pipeline,
        "select record_type_id, position, stage_name, stage_label from {raw}.record_type_stages"
        " where record_type_id = '012B' order by position",
    ) == [
        ("012B", 1, "appointmentscheduled", "Lead 潜在客户"),
        ("012B", 2, "closedwon", "Closed won 赢单"),
        ("012B", 3, "closedlost", "Closed lost 输单"),
    ]
    assert table_rows(pipeline, "select count(*) from {raw}.record_type_stages") == [(8,)]
    assert table_rows(
        pipeline,
        "select record_type_id, count(*) from {raw}.opportunities group by 1 order by 1",
    ) == [("012A", 5), ("012B", 2)]
