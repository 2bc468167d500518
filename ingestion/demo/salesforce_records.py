"""A HubSpot portal (`CrmData`) as the Salesforce org holding the same business.

The demo company and the tiny company are written once, as HubSpot records; this module gives
their Salesforce twin, so the fake Salesforce server serves the same deals, stages, people and
activities, and the marts built through either API can be compared (tests/ingestion/
test_crm_conformance.py). Ids are kept as they are (a real org's are 18-character ids).

How HubSpot's concepts land in the org:
- owners -> `User` (archived -> inactive; the primary team id in `Department`);
- the deal pipeline's stages -> `OpportunityStage` (`ApiName` = HubSpot's stage id, `SortOrder`
  = display order, probability 0-1 -> `DefaultProbability` 0-100);
- deals -> `Opportunity` (the loss reason in the custom field `Loss_Reason__c`), each stage
  change -> an `OpportunityHistory` row; an archived deal -> deleted (`IsDeleted`, with its
  history);
- companies -> `Account` (the orders system's id in `Customer_Id__c`), contacts -> `Contact`;
- calls, notes and tasks -> `Task` (`TaskSubtype` Call for calls, `Type` Note for notes);
  meetings (visits, trainings) -> `Event` with the meeting's activity type in `Type`.
"""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from typing import Any

from ingestion.demo.crm_server import CrmData
from ingestion.demo.salesforce_server import SalesforceOrg
from ingestion.sources.hubspot.helpers import parse_timestamp

# the org's custom fields holding what HubSpot keeps in properties of its own
ORG_ROLE_FIELDS = {
    "Opportunity": {"loss_reason": "Loss_Reason__c"},
    "Account": {"customer_id": "Customer_Id__c"},
}
# the objects a portal has nothing for, with their fields
EMPTY_OBJECT_FIELDS = {
    "OpportunityLineItem": [
        "CreatedDate",
        "SystemModstamp",
        "OpportunityId",
        "Product2Id",
        "Quantity",
        "UnitPrice",
        "TotalPrice",
        "CurrencyIsoCode",
    ],
    "Product2": ["CreatedDate", "SystemModstamp", "Name", "ProductCode", "Family", "IsActive"],
}
TASK_TYPES = {"calls": ("Call", "Call"), "notes": ("Task", "Note"), "tasks": ("Task", None)}


def sf_time(value: Any) -> str | None:
    """A timestamp as the REST API writes it: `2026-01-05T02:00:00.000+0000`."""
    moment = parse_timestamp(value)
    if moment is None:
        return None
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}+0000"


def _day(value: Any) -> str | None:
    moment = parse_timestamp(value)
    return moment.date().isoformat() if moment else None


def _forecast_category(is_closed: bool, is_won: bool) -> str:
    if is_closed:
        return "Closed" if is_won else "Omitted"
    return "Pipeline"


def _stages(data: CrmData) -> tuple[list[dict[str, Any]], dict[str, dict[str, Any]]]:
    stages, by_id = [], {}
    for pipeline in data.pipelines:
        stamp = sf_time(pipeline.get("updatedAt") or "1970-01-01T00:00:00Z")
        for stage in pipeline["stages"]:
            closed = str(stage["metadata"]["isClosed"]).lower() == "true"
            probability = Decimal(str(stage["metadata"]["probability"])) * 100
            won = closed and probability == 100
            record = {
                "Id": f"01J{stage['id']}",
                "ApiName": stage["id"],
                "MasterLabel": stage["label"],
                "SortOrder": stage["displayOrder"],
                "IsActive": not stage.get("archived"),
                "IsClosed": closed,
                "IsWon": won,
                "DefaultProbability": probability,
                "ForecastCategoryName": _forecast_category(closed, won),
                "CreatedDate": stamp,
                "SystemModstamp": stamp,
            }
            stages.append(record)
            by_id[stage["id"]] = record
    return stages, by_id


def _users(data: CrmData) -> list[dict[str, Any]]:
    users = []
    for owner in data.owners:
        teams = owner.get("teams") or []
        primary = next((t for t in teams if t.get("primary")), teams[0] if teams else {})
        users.append(
            {
                "Id": owner["id"],
                "Email": owner.get("email"),
                "FirstName": owner.get("firstName"),
                "LastName": owner.get("lastName"),
                "IsActive": not owner.get("archived"),
                "Department": primary.get("id"),
                "CreatedDate": sf_time(owner["createdAt"]),
                "SystemModstamp": sf_time(owner["updatedAt"]),
            }
        )
    return users


def _modstamp(record: dict[str, Any], cursor: str) -> str | None:
    """Deleting a record is its last change."""
    return sf_time(record.get("archivedAt") or record["properties"].get(cursor))


def _first(record: dict[str, Any], kind: str) -> str | None:
    linked = record.get("associations", {}).get(kind) or []
    return linked[0] if linked else None


def _opportunities(
    data: CrmData, stages: dict[str, dict[str, Any]]
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    opportunities, history = [], []
    for deal in data.objects.get("deals", []):
        props = deal["properties"]
        stage = stages[props["dealstage"]]
        deleted = bool(deal.get("archived"))
        modstamp = _modstamp(deal, "hs_lastmodifieddate")
        changes = sorted(deal.get("history", {}).get("dealstage", []), key=lambda v: v["timestamp"])
        amount = Decimal(props["amount"]) if props.get("amount") not in (None, "") else None
        for number, change in enumerate(changes, start=1):
            changed = stages[change["value"]]
            history.append(
                {
                    "Id": f"008{deal['id']}H{number}",
                    "OpportunityId": deal["id"],
                    "StageName": change["value"],
                    "Amount": amount,
                    "CurrencyIsoCode": props.get("deal_currency_code"),
                    "CloseDate": _day(props.get("closedate") or props.get("createdate")),
                    "Probability": changed["DefaultProbability"],
                    "ForecastCategory": changed["ForecastCategoryName"],
                    "CreatedDate": sf_time(change["timestamp"]),
                    "SystemModstamp": modstamp if deleted else sf_time(change["timestamp"]),
                    "IsDeleted": deleted,
                }
            )
        opportunities.append(
            {
                "Id": deal["id"],
                "Name": props.get("dealname"),
                "Amount": amount,
                "CurrencyIsoCode": props.get("deal_currency_code"),
                "StageName": props["dealstage"],
                # required in Salesforce: an open deal's is its expected close, here its creation
                "CloseDate": _day(props.get("closedate") or props.get("createdate")),
                "IsClosed": stage["IsClosed"],
                "IsWon": stage["IsWon"],
                "OwnerId": props.get("hubspot_owner_id"),
                "AccountId": _first(deal, "companies"),
                "LeadSource": props.get("lead_source"),
                "Probability": stage["DefaultProbability"],
                "ForecastCategoryName": stage["ForecastCategoryName"],
                "LastStageChangeDate": sf_time(changes[-1]["timestamp"]) if changes else None,
                "Loss_Reason__c": props.get("closed_lost_reason"),
                "CreatedDate": sf_time(props.get("createdate") or deal["createdAt"]),
                "SystemModstamp": modstamp,
                "IsDeleted": deleted,
            }
        )
    return opportunities, history


def _accounts_and_contacts(data: CrmData) -> dict[str, list[dict[str, Any]]]:
    accounts = [
        {
            "Id": company["id"],
            "Name": company["properties"].get("name"),
            "Industry": company["properties"].get("industry"),
            "OwnerId": company["properties"].get("hubspot_owner_id"),
            "Customer_Id__c": company["properties"].get("customer_id"),
            "CreatedDate": sf_time(company["properties"].get("createdate")),
            "SystemModstamp": _modstamp(company, "hs_lastmodifieddate"),
            "IsDeleted": bool(company.get("archived")),
        }
        for company in data.objects.get("companies", [])
    ]
    contacts = [
        {
            "Id": contact["id"],
            "AccountId": _first(contact, "companies"),
            "Email": contact["properties"].get("email"),
            "LeadSource": contact["properties"].get("hs_analytics_source"),
            "OwnerId": contact["properties"].get("hubspot_owner_id"),
            "CreatedDate": sf_time(contact["properties"].get("createdate")),
            "SystemModstamp": _modstamp(contact, "lastmodifieddate"),
            "IsDeleted": bool(contact.get("archived")),
        }
        for contact in data.objects.get("contacts", [])
    ]
    return {"Account": accounts, "Contact": contacts}


def _activity(record: dict[str, Any]) -> dict[str, Any]:
    props = record["properties"]
    deal, company = _first(record, "deals"), _first(record, "companies")
    return {
        "Id": record["id"],
        "OwnerId": props.get("hubspot_owner_id"),
        "WhatId": deal or company,
        "What.Type": "Opportunity" if deal else ("Account" if company else None),
        "AccountId": company,
        "CreatedDate": sf_time(props.get("hs_createdate") or record["createdAt"]),
        "SystemModstamp": _modstamp(record, "hs_lastmodifieddate"),
        "IsDeleted": bool(record.get("archived")),
    }


def _activities(data: CrmData) -> dict[str, list[dict[str, Any]]]:
    tasks = []
    for kind, (subtype, task_type) in TASK_TYPES.items():
        for record in data.objects.get(kind, []):
            moment = record["properties"].get("hs_timestamp")
            tasks.append(
                {
                    **_activity(record),
                    "Subject": kind[:-1].title(),
                    "Status": "Completed",
                    "Type": task_type,
                    "TaskSubtype": subtype,
                    "ActivityDate": _day(moment),
                    "CompletedDateTime": sf_time(moment),
                }
            )
    events = []
    for record in data.objects.get("meetings", []):
        start = parse_timestamp(record["properties"].get("hs_timestamp"))
        kind = record["properties"].get("hs_activity_type") or "Meeting"
        events.append(
            {
                **_activity(record),
                "Subject": record["properties"].get("hs_meeting_title") or kind,
                "Type": kind,
                "StartDateTime": sf_time(start),
                "EndDateTime": sf_time(start + timedelta(hours=1)) if start else None,
            }
        )
    return {"Task": tasks, "Event": events}


def salesforce_org(data: CrmData) -> SalesforceOrg:
    """The Salesforce org holding what the HubSpot portal `data` holds."""
    stages, by_id = _stages(data)
    opportunities, history = _opportunities(data, by_id)
    return SalesforceOrg(
        objects={
            "User": _users(data),
            "OpportunityStage": stages,
            "Opportunity": opportunities,
            "OpportunityHistory": history,
            "OpportunityLineItem": [],
            "Product2": [],
            **_accounts_and_contacts(data),
            **_activities(data),
        },
        fields=EMPTY_OBJECT_FIELDS,
    )
