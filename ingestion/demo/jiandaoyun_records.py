"""A HubSpot portal (`CrmData`) as the Jiandaoyun (简道云) CRM app holding the same business.

The demo company and the tiny company are written once, as HubSpot records; this module gives
their Jiandaoyun twin: a CRM app of six forms built like a typical one (so the source reads them
by their widget titles, without a field map), the company's departments and members. Record ids
are kept as they are (a real app's are 24-character ids), so the marts built through either API
can be compared (tests/ingestion/test_crm_conformance.py).

How HubSpot's concepts land in the app:
- owners -> members (`username` = owner id, their team as their department; an archived owner
  is a member no longer in use), with a 销售人员 record holding their e-mail and names;
- teams -> departments under the root (dept_no = team id);
- the pipeline's stages -> the options of the deal form's 销售阶段 select, and the
  `sources.jiandaoyun.stages` list giving their order, probability and won/lost (`id` = HubSpot's
  stage id, `value` = its label);
- deals -> 商机 records; each stage change -> a 商机阶段变更 record; an archived deal is
  deleted, and Jiandaoyun keeps nothing of a deleted record (nor of its stage changes);
- companies -> 客户, contacts -> 联系人;
- calls, notes, tasks and meetings (visits, trainings) -> 跟进记录 with their way (跟进方式).
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from ingestion.demo.crm_server import CrmData
from ingestion.demo.jiandaoyun_server import JdyCompany, JdyForm

APP_ID = "6400a1b2c3d4e5f600000001"
ROOT_DEPARTMENT = 1
# form -> (entry_id, title, [(widget id, title, type)])
FORM_LAYOUT: dict[str, tuple[str, str, list[tuple[str, str, str]]]] = {
    "deals": (
        "6400a1b2c3d4e5f600000011",
        "商机",
        [
            ("_widget_1616000000101", "商机名称", "text"),
            ("_widget_1616000000102", "销售阶段", "combo"),
            ("_widget_1616000000103", "商机金额", "number"),
            ("_widget_1616000000104", "币种", "combo"),
            ("_widget_1616000000105", "负责人", "user"),
            ("_widget_1616000000106", "客户", "linkdata"),
            ("_widget_1616000000107", "结单日期", "datetime"),
            ("_widget_1616000000108", "商机来源", "combo"),
            ("_widget_1616000000109", "输单原因", "combo"),
        ],
    ),
    "customers": (
        "6400a1b2c3d4e5f600000012",
        "客户",
        [
            ("_widget_1616000000201", "客户名称", "text"),
            ("_widget_1616000000202", "所属行业", "combo"),
            ("_widget_1616000000203", "客户编号", "text"),
            ("_widget_1616000000204", "负责人", "user"),
        ],
    ),
    "contacts": (
        "6400a1b2c3d4e5f600000013",
        "联系人",
        [
            ("_widget_1616000000301", "所属客户", "linkdata"),
            ("_widget_1616000000302", "邮箱", "text"),
            ("_widget_1616000000303", "来源", "combo"),
            ("_widget_1616000000304", "负责人", "user"),
        ],
    ),
    "followups": (
        "6400a1b2c3d4e5f600000014",
        "跟进记录",
        [
            ("_widget_1616000000401", "跟进方式", "combo"),
            ("_widget_1616000000402", "跟进人", "user"),
            ("_widget_1616000000403", "跟进时间", "datetime"),
            ("_widget_1616000000404", "关联商机", "linkdata"),
            ("_widget_1616000000405", "客户", "linkdata"),
        ],
    ),
    "stage_changes": (
        "6400a1b2c3d4e5f600000015",
        "商机阶段变更",
        [
            ("_widget_1616000000501", "商机", "linkdata"),
            ("_widget_1616000000502", "阶段", "combo"),
            ("_widget_1616000000503", "变更时间", "datetime"),
        ],
    ),
    "members": (
        "6400a1b2c3d4e5f600000016",
        "销售人员",
        [
            ("_widget_1616000000601", "成员", "user"),
            ("_widget_1616000000602", "邮箱", "text"),
            ("_widget_1616000000603", "名", "text"),
            ("_widget_1616000000604", "姓", "text"),
        ],
    ),
}
# HubSpot engagement (and meeting activity type) -> the follow-up way
FOLLOWUP_WAYS = {
    "calls": "电话",
    "notes": "备注",
    "tasks": "任务",
    "Visit": "拜访",
    "Training": "培训",
    "Meeting": "会议",
}


def forms_setting() -> dict[str, dict[str, str]]:
    """`sources.jiandaoyun.forms` for the app: each form's ids (its widgets carry the default
    titles, so no field map)."""
    return {
        form: {"app_id": APP_ID, "entry_id": entry_id}
        for form, (entry_id, _, _) in FORM_LAYOUT.items()
    }


def stages_setting(data: CrmData) -> list[dict[str, Any]]:
    """`sources.jiandaoyun.stages`: the pipeline's stages in display order."""
    stages = sorted(
        (stage for pipeline in data.pipelines for stage in pipeline["stages"]),
        key=lambda s: s["displayOrder"],
    )
    setting = []
    for stage in stages:
        closed = str(stage["metadata"]["isClosed"]).lower() == "true"
        probability = Decimal(str(stage["metadata"]["probability"]))
        setting.append(
            {
                "id": stage["id"],
                "value": stage["label"],
                "probability": str(probability),
                "closed": closed,
                "won": closed and probability == 1,
            }
        )
    return setting


def _record(
    form: str, record_id: str, created: Any, updated: Any, values: dict[str, Any]
) -> dict[str, Any]:
    entry_id, _, widgets = FORM_LAYOUT[form]
    by_title = {title: name for name, title, _ in widgets}
    record = {
        "_id": record_id,
        "appId": APP_ID,
        "entryId": entry_id,
        "createTime": created,
        "updateTime": updated,
    }
    for title, value in values.items():
        record[by_title[title]] = value
    return record


def _member(username: Any, names: dict[str, str]) -> dict[str, Any] | None:
    if username in (None, ""):
        return None
    return {"username": str(username), "name": names.get(str(username), str(username))}


def _linked(record_id: Any) -> dict[str, str] | None:
    return {"id": str(record_id)} if record_id not in (None, "") else None


def _first(record: dict[str, Any], kind: str) -> str | None:
    linked = record.get("associations", {}).get(kind) or []
    return linked[0] if linked else None


def _live(data: CrmData, kind: str) -> list[dict[str, Any]]:
    """Records not deleted: a deleted record is gone from the form."""
    return [r for r in data.objects.get(kind, []) if not r.get("archived")]


def _directory(data: CrmData) -> tuple[list[dict], list[dict], list[dict], dict[str, str]]:
    departments: dict[int, dict[str, Any]] = {}
    members, profiles, names = [], [], {}
    for owner in data.owners:
        teams = owner.get("teams") or []
        primary = next((t for t in teams if t.get("primary")), teams[0] if teams else None)
        dept = [int(primary["id"])] if primary else [ROOT_DEPARTMENT]
        if primary:
            departments[int(primary["id"])] = {
                "dept_no": int(primary["id"]),
                "name": primary.get("name"),
                "parent_no": ROOT_DEPARTMENT,
                "type": 0,
                "status": 1,
            }
        name = " ".join(p for p in (owner.get("firstName"), owner.get("lastName")) if p)
        names[owner["id"]] = name
        members.append(
            {
                "username": owner["id"],
                "name": name,
                "departments": dept,
                "type": 0,
                "status": -1 if owner.get("archived") else 1,
            }
        )
        profiles.append(
            _record(
                "members",
                f"m{owner['id']}",
                owner["createdAt"],
                owner["updatedAt"],
                {
                    "成员": {"username": owner["id"], "name": name},
                    "邮箱": owner.get("email"),
                    "名": owner.get("firstName"),
                    "姓": owner.get("lastName"),
                },
            )
        )
    root = {"dept_no": ROOT_DEPARTMENT, "name": "公司", "parent_no": None, "type": 0, "status": 1}
    return [root, *departments.values()], members, profiles, names


def _deals(data: CrmData, names: dict[str, str]) -> tuple[list[dict], list[dict]]:
    labels = {s["id"]: s["label"] for p in data.pipelines for s in p["stages"]}
    deals, changes = [], []
    for deal in _live(data, "deals"):
        props = deal["properties"]
        amount = props.get("amount")
        deals.append(
            _record(
                "deals",
                deal["id"],
                props.get("createdate") or deal["createdAt"],
                props.get("hs_lastmodifieddate") or deal["updatedAt"],
                {
                    "商机名称": props.get("dealname"),
                    "销售阶段": labels[props["dealstage"]],
                    "商机金额": Decimal(amount) if amount not in (None, "") else None,
                    "币种": props.get("deal_currency_code"),
                    "负责人": _member(props.get("hubspot_owner_id"), names),
                    "客户": _linked(_first(deal, "companies")),
                    "结单日期": props.get("closedate"),
                    "商机来源": props.get("lead_source"),
                    "输单原因": props.get("closed_lost_reason"),
                },
            )
        )
        history = sorted(deal.get("history", {}).get("dealstage", []), key=lambda v: v["timestamp"])
        for number, change in enumerate(history, start=1):
            changes.append(
                _record(
                    "stage_changes",
                    f"{deal['id']}-{number:03d}",
                    change["timestamp"],
                    change["timestamp"],
                    {
                        "商机": _linked(deal["id"]),
                        "阶段": labels[change["value"]],
                        "变更时间": change["timestamp"],
                    },
                )
            )
    return deals, changes


def _customers_and_contacts(data: CrmData, names: dict[str, str]) -> tuple[list, list]:
    customers = [
        _record(
            "customers",
            company["id"],
            company["properties"].get("createdate") or company["createdAt"],
            company["properties"].get("hs_lastmodifieddate") or company["updatedAt"],
            {
                "客户名称": company["properties"].get("name"),
                "所属行业": company["properties"].get("industry"),
                "客户编号": company["properties"].get("customer_id"),
                "负责人": _member(company["properties"].get("hubspot_owner_id"), names),
            },
        )
        for company in _live(data, "companies")
    ]
    contacts = [
        _record(
            "contacts",
            contact["id"],
            contact["properties"].get("createdate") or contact["createdAt"],
            contact["properties"].get("lastmodifieddate") or contact["updatedAt"],
            {
                "所属客户": _linked(_first(contact, "companies")),
                "邮箱": contact["properties"].get("email"),
                "来源": contact["properties"].get("hs_analytics_source"),
                "负责人": _member(contact["properties"].get("hubspot_owner_id"), names),
            },
        )
        for contact in _live(data, "contacts")
    ]
    return customers, contacts


def _followups(data: CrmData, names: dict[str, str]) -> list[dict[str, Any]]:
    followups = []
    for kind in ("calls", "notes", "tasks", "meetings"):
        for record in _live(data, kind):
            props = record["properties"]
            way = (props.get("hs_activity_type") or "Meeting") if kind == "meetings" else kind
            followups.append(
                _record(
                    "followups",
                    record["id"],
                    props.get("hs_createdate") or record["createdAt"],
                    props.get("hs_lastmodifieddate") or record["updatedAt"],
                    {
                        "跟进方式": FOLLOWUP_WAYS.get(way, "会议"),
                        "跟进人": _member(props.get("hubspot_owner_id"), names),
                        "跟进时间": props.get("hs_timestamp"),
                        "关联商机": _linked(_first(record, "deals")),
                        "客户": _linked(_first(record, "companies")),
                    },
                )
            )
    return followups


def jiandaoyun_company(data: CrmData) -> JdyCompany:
    """The Jiandaoyun company holding what the HubSpot portal `data` holds."""
    departments, members, profiles, names = _directory(data)
    deals, changes = _deals(data, names)
    customers, contacts = _customers_and_contacts(data, names)
    records = {
        "deals": deals,
        "customers": customers,
        "contacts": contacts,
        "followups": _followups(data, names),
        "stage_changes": changes,
        "members": profiles,
    }
    forms = {
        (APP_ID, entry_id): JdyForm(
            title,
            [{"name": name, "label": label, "type": kind} for name, label, kind in widgets],
            records[form],
        )
        for form, (entry_id, title, widgets) in FORM_LAYOUT.items()
    }
    return JdyCompany(forms=forms, departments=departments, members=members)
