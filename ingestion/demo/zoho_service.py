"""The demo company's Zoho CRM twin, served beside its HubSpot portal by the demo CRM process
(`ingestion.demo.crm_service`), so `sources.demo_crm = "zoho"` runs the demo through the Zoho
source. Its address (accounts server and API domain in one) and the OAuth client's credentials
go to the demo's settings file, where `ingestion.source_settings` finds them in demo mode."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable

from ingestion.demo.crm_server import CrmData
from ingestion.demo.settings import write_demo_sources
from ingestion.demo.zoho_records import ORG_ROLE_FIELDS, zoho_org
from ingestion.demo.zoho_server import ZohoOrg, ZohoServer, ZohoState


def follow(portal: Callable[[], CrmData], client_secret: str) -> Callable[[], ZohoOrg]:
    """The twin of the portal as of now, rebuilt only when the portal's records are."""
    cache: dict[str, object] = {}

    def current() -> ZohoOrg:
        data = portal()
        if cache.get("data") is not data:
            org = zoho_org(data)
            org.client_secret = client_secret
            cache.update(data=data, org=org)
        return cache["org"]  # type: ignore[return-value]

    return current


def start_twin(portal: Callable[[], CrmData], client_secret: str) -> ZohoServer:
    """Serve the twin in a thread on a free port and point the demo's settings at it."""
    state = ZohoState(follow(portal, client_secret))
    server = ZohoServer(state, port=0)
    server.start_in_thread()
    org = state.org
    write_demo_sources(
        {
            "zoho": {
                "data_centre": server.url,
                "client_id": org.client_id,
                "client_secret": org.client_secret,
                "refresh_token": org.refresh_token,
                "role_fields": json.dumps(ORG_ROLE_FIELDS),
            }
        }
    )
    print(f"demo CRM (Zoho): serving {server.url}", file=sys.stderr, flush=True)
    return server
