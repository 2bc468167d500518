"""The demo company's Zoho CRM twin, served beside its HubSpot portal by the demo CRM process
(`ingestion.demo.crm_service`), so `sources.demo_crm = "zoho"` runs the demo through the Zoho
source. Its address (accounts server and API domain in one) and the OAuth client's credentials
go to the demo's settings file, where `ingestion.source_settings` finds them in demo mode."""

from __future__ import annotations

import json
from collections.abc import Callable

from ingestion.demo.crm_server import CrmData
from ingestion.demo.twin_service import follow, serve
from ingestion.demo.zoho_records import ORG_ROLE_FIELDS, zoho_org
from ingestion.demo.zoho_server import ZohoOrg, ZohoServer, ZohoState


def start_twin(portal: Callable[[], CrmData], client_secret: str) -> ZohoServer:
    """Serve the twin in a thread on a free port and point the demo's settings at it."""

    def org_of(data: CrmData) -> ZohoOrg:
        org = zoho_org(data)
        org.client_secret = client_secret
        return org

    state = ZohoState(follow(portal, org_of))
    server = ZohoServer(state, port=0)
    org = state.org
    settings = {
        "data_centre": server.url,
        "client_id": org.client_id,
        "client_secret": org.client_secret,
        "refresh_token": org.refresh_token,
        "role_fields": json.dumps(ORG_ROLE_FIELDS),
    }
    return serve("Zoho", server, {"zoho": settings})
