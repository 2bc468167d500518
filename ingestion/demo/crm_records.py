"""The demo company's CRM as HubSpot records, as of a moment of its timeline.

The channel team keeps its pipeline in spreadsheets (`ingestion.demo.files`), so its reps are not
HubSpot owners and its deals and activities are not in the CRM.
"""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np
import pandas as pd

from ingestion.demo.company import Company
from ingestion.demo.crm_server import CrmData
from ingestion.demo.views import (
    deal_states,
    decimal_strings,
    is_file_team,
    iso_times,
    pipelines,
    team_names,
)

MEETING_TYPES = {"visit": "Visit", "meeting": "Meeting", "training": "Training"}
ENGAGEMENT_OBJECTS = {
    "visit": "meetings",
    "meeting": "meetings",
    "training": "meetings",
    "call": "calls",
    "note": "notes",
    "task": "tasks",
}


def _record(record_id: str, created: str, updated: str, properties: dict, **extra) -> dict:
    properties = {"hs_object_id": record_id, **properties}
    return {
        "id": record_id,
        "properties": properties,
        "createdAt": created,
        "updatedAt": updated,
        "archived": False,
        **extra,
    }


def crm_data(company: Company, as_of: int) -> CrmData:
    """Every HubSpot object of the demo company visible at `as_of` (seconds in its timeline)."""
    return CrmData(
        objects=dict(crm_objects(company, as_of)),
        owners=crm_owners(company, as_of),
        pipelines=pipelines(),
    )


def crm_objects(company: Company, as_of: int) -> Iterator[tuple[str, list[dict]]]:
    """The HubSpot records of `crm_data`, one object type at a time (a sharded demo writes each
    type and drops it before the next: `ingestion.demo.shards`)."""
    deals, changes = deal_states(company, as_of)
    deals = deals[~is_file_team(deals["team_id"])]
    yield "deals", _deals(company, deals, changes, _histories(company, as_of))
    yield from _companies_and_contacts(company, deals, company["customers"]).items()
    for object_type in sorted(set(ENGAGEMENT_OBJECTS.values())):
        yield object_type, _engagements(company, as_of, object_type)


def _histories(company: Company, as_of: int) -> dict[tuple[int, str], list[dict]]:
    """HubSpot's versions of each deal's `amount` and `closedate` made by `as_of`, newest first.

    Every revision's strings are made at once (per deal, the numpy and pandas calls cost more
    than the strings: three quarters of the records' time at scale 80)."""
    revisions = company["deal_revisions"]
    revisions = revisions[revisions["at_s"].to_numpy() <= as_of]
    raw = revisions["value"].to_numpy().astype(np.int64)
    money = revisions["property"].to_numpy() == "amount"
    values = np.where(money, decimal_strings(raw).to_numpy(), iso_times(company, raw))
    moments = iso_times(company, revisions["at_s"].to_numpy())
    histories: dict[tuple[int, str], list[dict]] = {}
    for deal, name, moment, value in zip(
        revisions["deal"].to_numpy(), revisions["property"].to_numpy(), moments, values, strict=True
    ):
        version = {"value": str(value), "timestamp": str(moment), "sourceType": "CRM_UI"}
        histories.setdefault((int(deal), str(name)), []).append(version)
    for versions in histories.values():
        versions.reverse()
    return histories


def _deals(
    company: Company,
    deals: pd.DataFrame,
    changes: pd.DataFrame,
    histories: dict[tuple[int, str], list[dict]],
) -> list[dict]:
    created = iso_times(company, deals["created_s"].to_numpy())
    updated = iso_times(company, deals["updated_s"].to_numpy())
    closed = iso_times(company, deals["closed_s"].to_numpy())
    archived_at = iso_times(company, np.maximum(deals["archived_s"].to_numpy(), 0))
    amounts = decimal_strings(deals["amount_cents"]).to_numpy()
    company_ids = company["customers"]["company_id"].to_numpy()[deals["customer"]]
    change_deal = changes["deal"].to_numpy()
    change_stage = changes["stage_id"].to_numpy()
    change_at = iso_times(company, changes["at_s"].to_numpy())
    bounds = np.searchsorted(change_deal, deals.index.to_numpy(), side="left")
    ends = np.searchsorted(change_deal, deals.index.to_numpy(), side="right")
    records = []
    for i, row in enumerate(deals.itertuples()):
        history = [
            {
                "value": change_stage[j],
                "timestamp": change_at[j],
                "sourceType": "CRM_UI",
                "sourceId": f"userId:{row.owner_id}",
            }
            for j in range(ends[i] - 1, bounds[i] - 1, -1)
        ]
        lost = row.stage_id == "closedlost"
        amount_history = histories.get((row.Index, "amount"), [])
        close_history = histories.get((row.Index, "closedate"), [])
        amount = amount_history[0]["value"] if amount_history else None
        close_date = close_history[0]["value"] if close_history else None
        properties = {
            "dealname": f"{row.deal_id} {row.lead_source}",
            "amount": amount or amounts[i],
            "deal_currency_code": row.currency,
            "pipeline": "default",
            "dealstage": row.stage_id,
            "closedate": closed[i] if row.is_closed else close_date,
            "createdate": created[i],
            "hs_lastmodifieddate": updated[i],
            "hubspot_owner_id": row.owner_id,
            "closed_lost_reason": row.loss_reason if lost else None,
            "lead_source": row.lead_source,  # a custom property of the demo portal
        }
        extra = {
            "associations": {"companies": [company_ids[i]]},
            "history": {"dealstage": history, "amount": amount_history, "closedate": close_history},
        }
        if row.is_archived:
            extra.update(archived=True, archivedAt=archived_at[i])
        records.append(_record(row.deal_id, created[i], updated[i], properties, **extra))
    return records


def _companies_and_contacts(
    company: Company, deals: pd.DataFrame, customers: pd.DataFrame
) -> dict[str, list[dict]]:
    first = deals.sort_values("created_s").groupby("customer").head(1)
    created = iso_times(company, first["created_s"].to_numpy())
    companies, contacts = [], []
    # the customers' columns as arrays: a row read through `iloc` costs more than its records
    columns = {name: customers[name].to_numpy() for name in customers.columns}
    for i, row in enumerate(first.itertuples()):
        customer = {name: values[row.customer] for name, values in columns.items()}
        companies.append(
            _record(
                customer["company_id"],
                created[i],
                created[i],
                {
                    "name": customer["customer_name"],
                    "industry": customer["industry"].upper(),
                    "createdate": created[i],
                    "hs_lastmodifieddate": created[i],
                    "hubspot_owner_id": row.owner_id,
                    "customer_id": customer["customer_id"],  # custom: the orders system's id
                },
            )
        )
        contact_id = str(int(customer["company_id"]) + 3_000_000)
        contacts.append(
            _record(
                contact_id,
                created[i],
                created[i],
                {
                    "firstname": "Contact",
                    "lastname": customer["customer_id"],
                    "email": f"buyer@{customer['customer_id'].lower()}.example.cn",
                    "createdate": created[i],
                    "lastmodifieddate": created[i],
                    "hs_analytics_source": row.lead_source.upper(),
                },
                associations={"companies": [customer["company_id"]]},
            )
        )
    return {"companies": companies, "contacts": contacts}


def _engagements(company: Company, as_of: int, object_type: str) -> list[dict]:
    acts = company["activities"]
    reps = company["reps"].set_index("owner_id")
    kinds = [kind for kind, name in ENGAGEMENT_OBJECTS.items() if name == object_type]
    acts = acts[(acts["at_s"].to_numpy() <= as_of) & acts["kind"].isin(kinds).to_numpy()]
    acts = acts[~is_file_team(reps["team_id"].reindex(acts["owner_id"]).to_numpy())]
    deal_ids = company["deals"]["deal_id"].to_numpy()
    deal_company = company["customers"]["company_id"].to_numpy()[company["deals"]["customer"]]
    at = iso_times(company, acts["at_s"].to_numpy())
    out = []
    for i, row in enumerate(acts.itertuples()):
        properties = {
            "hs_timestamp": at[i],
            "hs_createdate": at[i],
            "hs_lastmodifieddate": at[i],
            "hubspot_owner_id": row.owner_id,
        }
        if row.kind in MEETING_TYPES:
            properties.update(
                hs_activity_type=MEETING_TYPES[row.kind],
                hs_meeting_title=f"{MEETING_TYPES[row.kind]} {row.activity_id}",
                hs_meeting_outcome="COMPLETED",
            )
        elif row.kind == "call":
            properties.update(hs_call_direction="OUTBOUND", hs_call_duration="300000")
        elif row.kind == "task":
            properties.update(hs_task_subject="Follow up", hs_task_status="COMPLETED")
        else:
            properties.update(hs_note_body="Customer notes")
        associations = {}
        if row.deal >= 0:
            associations = {"deals": [deal_ids[row.deal]], "companies": [deal_company[row.deal]]}
        out.append(_record(row.activity_id, at[i], at[i], properties, associations=associations))
    return out


def crm_owners(company: Company, as_of: int) -> list[dict]:
    reps = company["reps"]
    names = team_names()
    assignments = company["assignments"]
    day = as_of // 86400
    current = assignments[
        (assignments["from_day"] <= day)
        & ((assignments["to_day"].isna()) | (assignments["to_day"] > day))
    ]
    team_of = dict(zip(current["owner_id"], current["team_id"], strict=True))
    hired = reps[(reps["hire_day"] <= day) & ~is_file_team(reps["team_id"])]
    created = iso_times(company, np.maximum(hired["hire_day"].to_numpy(), 0) * 86400)
    left = iso_times(company, np.minimum(hired["leave_day"].to_numpy(), 10**6) * 86400)
    owners = []
    for i, row in enumerate(hired.itertuples()):
        gone = row.leave_day <= day
        team = team_of.get(row.owner_id, row.team_id)
        owners.append(
            {
                "id": row.owner_id,
                "email": row.email,
                "type": "PERSON",
                "firstName": row.first_name,
                "lastName": row.last_name,
                "userId": int(row.owner_id) + 1000,
                "createdAt": created[i],
                "updatedAt": left[i] if gone else created[i],
                "archived": bool(gone),
                "teams": [{"id": team, "name": names[team], "primary": True}],
            }
        )
    return owners
