"""The demo company's Salesforce twin, served beside its HubSpot portal by the demo CRM process
(`ingestion.demo.crm_service`), so `sources.demo_crm = "salesforce"` runs the demo through the
Salesforce source. Its address and the connected app's credentials go to the demo's settings
file, where `ingestion.source_settings` finds them in demo mode."""

from __future__ import annotations

import json
from collections.abc import Callable

from ingestion.demo.crm_server import CrmData
from ingestion.demo.salesforce_records import ORG_ROLE_FIELDS, salesforce_org
from ingestion.demo.salesforce_server import SalesforceOrg, SalesforceServer, SalesforceState
from ingestion.demo.twin_service import follow, serve


def start_twin(portal: Callable[[], CrmData], client_secret: str) -> SalesforceServer:
    """Serve the twin in a thread on a free port and point the demo's settings at it."""

    def org_of(data: CrmData) -> SalesforceOrg:
        org = salesforce_org(data)
        org.client_secret = client_secret
        return org

    state = SalesforceState(follow(portal, org_of))
    server = SalesforceServer(state, port=0)
    org = state.org
    settings = {
        "instance_url": server.url,
        "client_id": org.client_id,
        "client_secret": org.client_secret,
        "role_fields": json.dumps(ORG_ROLE_FIELDS),
    }
    return serve("Salesforce", server, {"salesforce": settings})
