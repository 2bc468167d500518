"""The Jiandaoyun source against the fake Jiandaoyun server: the tiny company's CRM app through
rate limits and failures; reruns, changes and the inclusive `updateTime` boundary; paging by
`data_id`; deletes found by reconciling ids; custom fields through the field map; a mapping that
does not fit the form and a wrong API key failing fast."""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest
from dlt.pipeline.exceptions import PipelineStepFailed
from fixtures.loads import loaded_rows, table_rows
from fixtures.tiny_company.crm import crm_data

from ingestion.demo.fake_api import FaultPlan
from ingestion.demo.jiandaoyun_records import (
    APP_ID,
    FORM_LAYOUT,
    forms_setting,
    jiandaoyun_company,
    stages_setting,
)
from ingestion.demo.jiandaoyun_server import JdyCompany, JdyForm, JiandaoyunServer
from ingestion.sources.jiandaoyun import jiandaoyun

FAST_RETRIES = {"request_timeout_s": 2.0, "max_attempts": 5, "backoff_factor": 0.05}
DIRECTORY = {"stages", "members", "departments"}  # reloaded in full every run


@pytest.fixture
def fake_jiandaoyun(serve) -> Callable[..., JiandaoyunServer]:
    """The fake Jiandaoyun open API serving `company`."""

    def start(company: JdyCompany, faults: FaultPlan | None = None) -> JiandaoyunServer:
        return serve(JiandaoyunServer(company, faults=faults))

    return start


def _source(server: JiandaoyunServer, **options: Any):
    settings = {
        "api_key": server.company.api_key,
        "base_url": server.url,
        "forms": forms_setting(),
        "stages": stages_setting(crm_data()),
        **FAST_RETRIES,
    }
    return jiandaoyun(**{**settings, **options})


def _form(company: JdyCompany, form: str) -> JdyForm:
    return company.forms[(APP_ID, FORM_LAYOUT[form][0])]


def _record(company: JdyCompany, form: str, record_id: str) -> dict[str, Any]:
    return next(r for r in _form(company, form).records if r["_id"] == record_id)


def _paths(server: JiandaoyunServer) -> list[str]:
    return [path.rsplit("/", 2)[-2] + "/" + path.rsplit("/", 1)[-1] for path, _ in server.requests]


def test_loads_the_app_through_rate_limits_and_failures(fake_jiandaoyun, new_pipeline) -> None:
    # request 2-3: the rate limit (HTTP 400, code 8303); 5: the concurrency limit (HTTP 429);
    # 7: a 502 from the gateway; 9: JSON cut in half. Each is retried with backoff.
    faults = FaultPlan(at_request={2: "limit", 3: "limit", 5: "429", 7: "500", 9: "truncate"})
    pipeline = new_pipeline("jiandaoyun")
    server = fake_jiandaoyun(jiandaoyun_company(crm_data()), faults)
    pipeline.run(_source(server))
    served = len(server.requests)
    assert served > 9
    # 1006 was deleted in the app before the first load: Jiandaoyun keeps nothing of it
    assert table_rows(
        pipeline,
        "select _id, stage_id, amount, currency, owner, customer, loss_reason"
        " from {raw}.deals order by _id",
    ) == [
        ("1001", "closedwon", Decimal("27000.00"), "CNY", "102", "501", None),
        ("1002", "closedlost", Decimal("15000.00"), "CNY", "102", "502", "Price"),
        ("1003", "closedwon", Decimal("2000.00"), "USD", "103", "504", None),
        ("1004", "qualifiedtobuy", Decimal("6000.00"), "CNY", "103", "501", None),
        ("1005", "closedlost", Decimal("11500.00"), "CNY", "101", "505", "Budget"),
        ("1007", "closedwon", Decimal("8000.00"), "CNY", "102", "506", None),
    ]
    # the stage as the select option reads, mapped to its configured id
    assert table_rows(pipeline, "select stage from {raw}.deals where _id = '1004'") == [
        ("Initial intent 初步意向",)
    ]
    # stage history from the stage-change form: 4 + 3 + 6 + 2 + 2 + 4 changes (1006's went
    # with it)
    assert table_rows(pipeline, "select count(*) from {raw}.deal_stage_changes") == [(21,)]
    counts = {
        table: table_rows(pipeline, f"select count(*) from {{raw}}.{table}")[0][0]
        for table in (
            "stages",
            "members",
            "departments",
            "member_profiles",
            "customers",
            "contacts",
            "followups",
        )
    }
    assert counts == {
        "stages": 7,
        "members": 3,
        "departments": 2,  # under the root: East A (11), East B (12)
        "member_profiles": 3,
        "customers": 6,
        "contacts": 2,
        "followups": 11,  # 4 visits, 2 trainings, 1 meeting, 2 calls, 1 note, 1 task
    }
    assert table_rows(
        pipeline,
        "select _id, kind, activity_type, deal, customer from {raw}.followups"
        " where _id in ('2001', '2005', '2101') order by _id",
    ) == [
        ("2001", "拜访", "visit", "1005", "505"),
        ("2005", "培训", "training", None, None),
        ("2101", "电话", "call", "1001", "501"),
    ]
    assert table_rows(
        pipeline,
        "select stage_id, display_order, win_probability, is_won from {raw}.stages"
        " where is_closed order by stage_id",
    ) == [("closedlost", 6, Decimal("0"), False), ("closedwon", 5, Decimal("1"), True)]
    assert table_rows(
        pipeline, "select username, name, dept_no, status from {raw}.members order by username"
    ) == [
        ("101", "Alice Wang", "11", 1),
        ("102", "Bob Li", "11", 1),
        ("103", "Carol Zhang", "12", 1),
    ]


def test_a_rerun_loads_nothing_new_and_a_record_saved_on_the_last_stamp_is_not_lost(
    fake_jiandaoyun,
    new_pipeline,
) -> None:
    company = jiandaoyun_company(crm_data())
    pipeline = new_pipeline("jiandaoyun")
    server = fake_jiandaoyun(company)
    pipeline.run(_source(server))
    pipeline.run(_source(server))
    # the directory and the stages are small and reloaded whole; no form record comes again
    assert set(loaded_rows(pipeline)) == DIRECTORY
    # the newest deal change is 1007's, 2026-03-10T02:00; another deal is saved in the same
    # millisecond after the run read: an exclusive filter would never see it
    deals = _form(company, "deals").records
    last = max(r["updateTime"] for r in deals)
    assert last == "2026-03-10T02:00:00.000Z"
    deals.append({**_record(company, "deals", "1004"), "_id": "1008", "updateTime": last})
    # and 1004 moves to quote later that day
    stage = FORM_LAYOUT["deals"][2][1][0]
    _record(company, "deals", "1004").update(
        {stage: "Quote/proposal 报价/方案", "updateTime": "2026-03-10T05:00:00.000Z"}
    )
    pipeline.run(_source(server).with_resources("deals"))
    # the range filter starts at the last stamp read, inclusive
    last_filter = json.loads(server.requests[-1][1])["filter"]
    assert last_filter["cond"] == [
        {
            "field": "updateTime",
            "type": "datetime",
            "method": "range",
            "value": ["2026-03-10T02:00:00.000Z", None],
        }
    ]
    # 1007 (on the boundary, seen before) is dropped by (_id, updateTime); 1008 and 1004 load
    assert loaded_rows(pipeline) == {"deals": 2}
    assert table_rows(
        pipeline, "select _id, stage_id from {raw}.deals where _id >= '1004' order by _id"
    ) == [("1004", "presentationscheduled"), ("1005", "closedlost"), ("1007", "closedwon"),
          ("1008", "qualifiedtobuy")]  # fmt: skip
    assert table_rows(pipeline, "select count(*), count(distinct _id) from {raw}.deals") == [(7, 7)]


def _customers(n: int) -> JdyForm:
    entry_id, title, widgets = FORM_LAYOUT["customers"]
    name = widgets[0][0]
    return JdyForm(
        title,
        [{"name": w, "label": label, "type": kind} for w, label, kind in widgets],
        [
            {
                "_id": f"64{i:022d}",
                "createTime": "2026-01-01T00:00:00.000Z",
                "updateTime": f"2026-01-01T00:{i // 60 % 60:02d}:{i % 60:02d}.000Z",
                name: f"客户 {i}",
            }
            for i in range(n)
        ],
    )


def test_pages_follow_data_id_and_deletes_come_from_reconciling_ids(
    fake_jiandaoyun, new_pipeline
) -> None:
    # 250 customers: 100 per request, each page asked for after the last _id of the one before
    company = JdyCompany(forms={(APP_ID, FORM_LAYOUT["customers"][0]): _customers(250)})
    forms = {"customers": forms_setting()["customers"]}
    pipeline = new_pipeline("jiandaoyun")
    server = fake_jiandaoyun(company)

    def run() -> list[dict[str, Any]]:
        before = len(server.requests)
        source = _source(server, forms=forms).with_resources("customers", "deleted_records")
        pipeline.run(source)
        return [json.loads(body) for path, body in server.requests[before:]]

    first = run()
    records = _form(company, "customers").records
    # two customers are deleted in the app: the list API simply no longer has them
    deleted = [records.pop(10), records.pop(10)]
    second = run()
    # one comes back (restored by an administrator)
    records.append(deleted[0])
    run()
    lists = [body for body in first if "limit" in body]
    # the incremental read and the id scan (their requests interleave): 3 pages each, the id
    # scan asking for ids alone
    pages = ["", "64" + "0" * 20 + "99", "64" + "0" * 19 + "199"]
    assert [b.get("data_id", "") for b in lists if "filter" in b] == pages
    assert [b.get("data_id", "") for b in lists if b["fields"] == ["_id"]] == pages
    assert all(body.get("limit") == 100 for body in lists)
    assert table_rows(pipeline, "select count(*), count(distinct _id) from {raw}.customers") == [
        (250, 250)
    ]
    assert len([b for b in second if b.get("fields") == ["_id"]]) == 3
    assert table_rows(
        pipeline, "select form, data_id, is_deleted from {raw}.deleted_records order by data_id"
    ) == [
        ("customers", "64" + "0" * 20 + "10", False),  # came back
        ("customers", "64" + "0" * 20 + "11", True),
    ]


def test_custom_fields_come_through_the_field_map_and_bad_records_are_rejected(
    fake_jiandaoyun,
    new_pipeline,
) -> None:
    company = jiandaoyun_company(crm_data())
    deals = _form(company, "deals")
    deals.widgets.append({"name": "_widget_1616000000199", "label": "优先级", "type": "combo"})
    for record in deals.records:
        record["_widget_1616000000199"] = "高" if record["_id"] == "1001" else None
    stage, amount = FORM_LAYOUT["deals"][2][1][0], FORM_LAYOUT["deals"][2][2][0]
    _record(company, "deals", "1004")[stage] = "Won back 复购"  # an option not in the stages
    _record(company, "deals", "1005")[amount] = "一万"
    forms = forms_setting()
    forms["deals"]["fields"] = {"priority": "优先级", "amount": amount}  # by title, by widget id
    pipeline = new_pipeline("jiandaoyun")
    server = fake_jiandaoyun(company)
    pipeline.run(_source(server, forms=json.dumps(forms)).with_resources("deals"))
    assert table_rows(pipeline, "select _id, priority from {raw}.deals order by _id") == [
        ("1001", "高"),
        ("1002", None),
        ("1003", None),
        ("1007", None),
    ]
    assert table_rows(
        pipeline, "select _id, field, reason from {raw}.deals_rejected order by _id"
    ) == [
        ("1004", "stage", "stage 'Won back 复购' is not in sources.jiandaoyun.stages"),
        ("1005", "amount", "'一万' is not a number"),
    ]


def test_a_field_the_form_lacks_fails_fast_naming_the_mapping(
    fake_jiandaoyun, new_pipeline
) -> None:
    company = jiandaoyun_company(crm_data())
    deals = _form(company, "deals")
    deals.widgets = [w for w in deals.widgets if w["label"] != "商机金额"]
    server = fake_jiandaoyun(company)
    with pytest.raises(PipelineStepFailed) as failure:
        new_pipeline("jiandaoyun").run(_source(server).with_resources("deals"))
    message = str(failure.value)
    assert "sources.jiandaoyun.forms.deals.fields.amount" in message
    assert "has no widget '商机金额'" in message
    assert "商机名称 (_widget_1616000000101)" in message  # the widgets it could map to
    # nothing was listed before the mapping was checked
    assert all("data/list" not in path for path, _ in server.requests)
    with pytest.raises(PipelineStepFailed, match="sources.jiandaoyun.forms.deals is not set"):
        new_pipeline("jiandaoyun").run(
            jiandaoyun(api_key="k", base_url="http://127.0.0.1:9", forms={}).with_resources("deals")
        )


def test_a_wrong_api_key_fails_naming_the_setting_never_the_key(
    fake_jiandaoyun, new_pipeline
) -> None:
    server = fake_jiandaoyun(jiandaoyun_company(crm_data()))
    source = _source(server, api_key="not-the-key-4711")
    with pytest.raises(PipelineStepFailed) as failure:
        new_pipeline("jiandaoyun").run(source.with_resources("members"))
    message = str(failure.value)
    assert "HTTP 401" in message
    assert "sources.jiandaoyun.api_key" in message
    assert "not-the-key-4711" not in message


def test_the_demo_crm_setting_can_pick_jiandaoyun(
    monkeypatch: pytest.MonkeyPatch, tmp_path
) -> None:
    from ingestion.demo.settings import write_demo_sources
    from ingestion.source_settings import source_settings

    for name in [name for name in os.environ if name.startswith("SOURCES__")]:
        monkeypatch.delenv(name)
    monkeypatch.setenv("SPW_STATE_DIR", str(tmp_path))
    write_demo_sources(
        {
            "hubspot": {"base_url": "http://127.0.0.1:1", "access_token": "demo-token"},
            "jiandaoyun": {"base_url": "http://127.0.0.1:3", "api_key": "demo-key"},
        }
    )
    assert source_settings("jiandaoyun") is None  # HubSpot unless set
    monkeypatch.setenv("SOURCES__DEMO_CRM", "jiandaoyun")
    assert source_settings("hubspot") is None
    assert source_settings("jiandaoyun") == {
        "base_url": "http://127.0.0.1:3",
        "api_key": "demo-key",
    }
