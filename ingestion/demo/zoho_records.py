"""A HubSpot portal (`CrmData`) as the Zoho CRM org holding the same business.

The demo company and the tiny company are written once, as HubSpot records; this module gives
their Zoho twin, so the fake Zoho server serves the same deals, stages, people and activities,
and the marts built through either API can be compared (tests/ingestion/test_crm_conformance.py).
Ids are kept as they are (a real org's are 19-digit numbers).

How HubSpot's concepts land in the org:
- owners -> users (archived -> `disabled`); the primary team id as the user's role (`role.id`:
  teams are roles under their manager in Zoho's role hierarchy);
- each deal pipeline -> a pipeline of the one Deals layout (`actual_value` = HubSpot's pipeline
  id), its stages -> the `Stage` picklist (`actual_value` = HubSpot's stage id, probability
  0-1 -> 0-100, `forecast_type` Open / Closed Won / Closed Lost);
- deals -> `Deals` (the loss reason in `Reason_For_Loss__s`); each stage change -> a
  `Stage_History` row; an archived deal -> the deleted records only (Zoho lists no deleted
  record's fields);
- companies -> `Accounts` (the orders system's id in the custom field `Customer_ID`), contacts
  -> `Contacts`;
- calls -> `Calls`, tasks -> `Tasks`, notes -> `Notes` on their deal, meetings (visits,
  trainings) -> `Events` with the meeting's activity type in the custom field `Meeting_Type`.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from ingestion.demo.crm_server import CrmData
from ingestion.demo.zoho_server import STANDARD_MODULES, ZohoOrg
from ingestion.sources.hubspot.helpers import parse_timestamp

# the org's fields holding what HubSpot keeps in properties of its own
ORG_ROLE_FIELDS = {
    "Accounts": {"customer_id": "Customer_ID"},
    "Events": {"meeting_type": "Meeting_Type"},
}
LAYOUT_ID = "5000000000001"
# the fields of the modules a portal may have no records in
EMPTY_MODULE_FIELDS = {
    "Tasks": ["Subject", "Status", "Owner", "What_Id", "$se_module", "Due_Date", "Closed_Time"],
    "Calls": ["Subject", "Call_Type", "Call_Start_Time", "Owner", "What_Id", "$se_module"],
    "Events": [
        "Event_Title",
        "Start_DateTime",
        "End_DateTime",
        "Owner",
        "What_Id",
        "$se_module",
        "Meeting_Type",
    ],
    "Notes": ["Note_Title", "Owner", "Parent_Id"],
    "Contacts": ["Account_Name", "Email", "Lead_Source", "Owner"],
}


def zoho_time(value: Any) -> str | None:
    """A timestamp as the API writes it: `2026-01-05T02:00:00+00:00` (to the second)."""
    moment = parse_timestamp(value)
    return moment.replace(microsecond=0).isoformat() if moment else None


def _day(value: Any) -> str | None:
    moment = parse_timestamp(value)
    return moment.date().isoformat() if moment else None


def _lookup(record_id: str | None) -> dict[str, str] | None:
    return {"id": record_id, "name": record_id} if record_id else None


def _first(record: dict[str, Any], kind: str) -> str | None:
    linked = record.get("associations", {}).get(kind) or []
    return linked[0] if linked else None


def _stages(data: CrmData) -> tuple[list[dict[str, Any]], dict[str, list[dict[str, Any]]]]:
    picklist, pipelines = [], []
    for pipeline in data.pipelines:
        maps = []
        for stage in pipeline["stages"]:
            closed = str(stage["metadata"]["isClosed"]).lower() == "true"
            probability = Decimal(str(stage["metadata"]["probability"])) * 100
            kind = "Open"
            if closed:
                kind = "Closed Won" if probability == 100 else "Closed Lost"
            category = {"Open": "Pipeline", "Closed Won": "Closed", "Closed Lost": "Omitted"}[kind]
            value = {
                "id": f"4{stage['id']}",
                "actual_value": stage["id"],
                "display_value": stage["label"],
                "sequence_number": stage["displayOrder"],
                "forecast_type": kind,
                "forecast_category": {"name": category, "id": f"6{category}"},
            }
            maps.append(value)
            picklist.append({**value, "probability": int(probability), "type": "used"})
        pipelines.append(
            {
                "id": f"7{pipeline['id']}",
                "actual_value": pipeline["id"],
                "display_value": pipeline["label"],
                "default": pipeline.get("displayOrder", 0) == 0,
                "child_available": False,
                "maps": maps,
            }
        )
    return picklist, {LAYOUT_ID: pipelines}


def _users(data: CrmData) -> list[dict[str, Any]]:
    users = []
    for owner in data.owners:
        teams = owner.get("teams") or []
        primary = next((t for t in teams if t.get("primary")), teams[0] if teams else {})
        users.append(
            {
                "id": owner["id"],
                "email": owner.get("email"),
                "first_name": owner.get("firstName"),
                "last_name": owner.get("lastName"),
                "status": "disabled" if owner.get("archived") else "active",
                "role": {"id": primary.get("id"), "name": primary.get("name")} if primary else None,
                "created_time": zoho_time(owner["createdAt"]),
                "Modified_Time": zoho_time(owner["updatedAt"]),
            }
        )
    return users


def _deleted(record: dict[str, Any], name: str | None) -> dict[str, Any]:
    return {
        "id": record["id"],
        "display_name": name,
        "type": "recycle",
        "deleted_time": zoho_time(record.get("archivedAt") or record.get("updatedAt")),
        "deleted_by": None,
        "created_by": None,
    }


def _deals(data: CrmData, org: ZohoOrg, stages: dict[str, dict[str, Any]]) -> None:
    for deal in data.objects.get("deals", []):
        props = deal["properties"]
        if deal.get("archived"):
            org.deleted.setdefault("Deals", []).append(_deleted(deal, props.get("dealname")))
            continue
        amount = Decimal(props["amount"]) if props.get("amount") not in (None, "") else None
        closing = _day(props.get("closedate") or props.get("createdate"))
        changes = sorted(deal.get("history", {}).get("dealstage", []), key=lambda v: v["timestamp"])
        org.stage_history[deal["id"]] = [
            {
                "id": f"8{deal['id']}{number:03d}",
                "Stage": change["value"],
                "Amount": amount,
                "Closing_Date": closing,
                "Probability": stages[change["value"]]["probability"],
                "Modified_Time": zoho_time(change["timestamp"]),
            }
            for number, change in enumerate(changes, start=1)
        ]
        org.modules["Deals"].append(
            {
                "id": deal["id"],
                "Deal_Name": props.get("dealname"),
                "Amount": amount,
                "Currency": props.get("deal_currency_code"),
                "Stage": props["dealstage"],
                "Pipeline": props.get("pipeline"),
                # required in Zoho: an open deal's is its expected close, here its creation
                "Closing_Date": closing,
                "Probability": stages[props["dealstage"]]["probability"],
                "Owner": _lookup(props.get("hubspot_owner_id")),
                "Account_Name": _lookup(_first(deal, "companies")),
                "Lead_Source": props.get("lead_source"),
                "Reason_For_Loss__s": props.get("closed_lost_reason"),
                "Created_Time": zoho_time(props.get("createdate") or deal["createdAt"]),
                "Modified_Time": zoho_time(props.get("hs_lastmodifieddate") or deal["updatedAt"]),
            }
        )


def _accounts_and_contacts(data: CrmData, org: ZohoOrg) -> None:
    for company in data.objects.get("companies", []):
        props = company["properties"]
        if company.get("archived"):
            org.deleted.setdefault("Accounts", []).append(_deleted(company, props.get("name")))
            continue
        org.modules["Accounts"].append(
            {
                "id": company["id"],
                "Account_Name": props.get("name"),
                "Industry": props.get("industry"),
                "Owner": _lookup(props.get("hubspot_owner_id")),
                "Customer_ID": props.get("customer_id"),
                "Created_Time": zoho_time(props.get("createdate")),
                "Modified_Time": zoho_time(props.get("hs_lastmodifieddate")),
            }
        )
    for contact in data.objects.get("contacts", []):
        props = contact["properties"]
        if contact.get("archived"):
            org.deleted.setdefault("Contacts", []).append(_deleted(contact, props.get("email")))
            continue
        org.modules["Contacts"].append(
            {
                "id": contact["id"],
                "Account_Name": _lookup(_first(contact, "companies")),
                "Email": props.get("email"),
                "Lead_Source": props.get("hs_analytics_source"),
                "Owner": _lookup(props.get("hubspot_owner_id")),
                "Created_Time": zoho_time(props.get("createdate")),
                "Modified_Time": zoho_time(props.get("lastmodifieddate")),
            }
        )


def _activity(record: dict[str, Any]) -> dict[str, Any]:
    """What every activity has: owner, the deal (else the account) it is about, times."""
    props = record["properties"]
    deal, company = _first(record, "deals"), _first(record, "companies")
    return {
        "id": record["id"],
        "Owner": _lookup(props.get("hubspot_owner_id")),
        "What_Id": _lookup(deal or company),
        "$se_module": "Deals" if deal else ("Accounts" if company else None),
        "Created_Time": zoho_time(props.get("hs_createdate") or record["createdAt"]),
        "Modified_Time": zoho_time(props.get("hs_lastmodifieddate") or record["updatedAt"]),
    }


def _activities(data: CrmData, org: ZohoOrg) -> None:
    for kind, module in (("calls", "Calls"), ("tasks", "Tasks"), ("meetings", "Events")):
        for record in data.objects.get(kind, []):
            if record.get("archived"):
                org.deleted.setdefault(module, []).append(_deleted(record, kind[:-1].title()))
                continue
            moment = zoho_time(record["properties"].get("hs_timestamp"))
            extra: dict[str, Any] = {
                "Calls": {"Subject": "Call", "Call_Type": "Outbound", "Call_Start_Time": moment},
                "Tasks": {
                    "Subject": "Task",
                    "Status": "Completed",
                    "Due_Date": _day(moment),
                    "Closed_Time": moment,
                },
                "Events": {
                    "Event_Title": record["properties"].get("hs_meeting_title") or "Meeting",
                    "Start_DateTime": moment,
                    "End_DateTime": moment,
                    "Meeting_Type": record["properties"].get("hs_activity_type") or "Meeting",
                },
            }[module]
            org.modules[module].append({**_activity(record), **extra})
    for record in data.objects.get("notes", []):
        if record.get("archived"):
            continue  # Zoho lists no deleted notes
        activity = _activity(record)
        parent = activity.pop("What_Id")
        module = activity.pop("$se_module")
        org.modules["Notes"].append(
            {
                **activity,
                "Note_Title": "Note",
                "Parent_Id": {**parent, "module": {"api_name": module}} if parent else None,
            }
        )


def zoho_org(data: CrmData) -> ZohoOrg:
    """The Zoho CRM org holding what the HubSpot portal `data` holds."""
    picklist, pipelines = _stages(data)
    org = ZohoOrg(
        modules={module: [] for module in STANDARD_MODULES},
        fields=EMPTY_MODULE_FIELDS,
        users=_users(data),
        layouts=[
            {
                "id": LAYOUT_ID,
                "name": "Standard",
                "status": "active",
                "modified_time": zoho_time(
                    max(
                        (p.get("updatedAt") or "1970-01-01T00:00:00Z" for p in data.pipelines),
                        default="1970-01-01T00:00:00Z",
                    )
                ),
            }
        ],
        pipelines=pipelines,
        stage_picklist=picklist,
    )
    _deals(data, org, {value["actual_value"]: value for value in picklist})
    _accounts_and_contacts(data, org)
    _activities(data, org)
    return org
