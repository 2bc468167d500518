"""The demo company's Salesforce twin, served beside its HubSpot portal by the demo CRM process
(`ingestion.demo.crm_service`), so `sources.demo_crm = "salesforce"` runs the demo through the
Salesforce source. Its address and the connected app's credentials go to the demo's settings
file, where `ingestion.source_settings` finds them in demo mode."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable

from ingestion.demo.crm_server import CrmData
from ingestion.demo.salesforce_records import ORG_ROLE_FIELDS, salesforce_org
from ingestion.demo.salesforce_server import SalesforceOrg, SalesforceServer, SalesforceState
from ingestion.demo.settings import write_demo_sources


def follow(portal: Callable[[], CrmData], client_secret: str) -> Callable[[], SalesforceOrg]:
    """The twin of the portal as of now, rebuilt only when the portal's records are."""
    cache: dict[str, object] = {}

    def current() -> SalesforceOrg:
        data = portal()
        if cache.get("data") is not data:
            org = salesforce_org(data)
            org.client_secret = client_secret
            cache.update(data=data, org=org)
        return cache["org"]  # type: ignore[return-value]

    return current


def start_twin(portal: Callable[[], CrmData], client_secret: str) -> SalesforceServer:
    """Serve the twin in a thread on a free port and point the demo's settings at it."""
    state = SalesforceState(follow(portal, client_secret))
    server = SalesforceServer(state, port=0)
    server.start_in_thread()
    org = state.org
    write_demo_sources(
        {
            "salesforce": {
                "instance_url": server.url,
                "client_id": org.client_id,
                "client_secret": org.client_secret,
                "role_fields": json.dumps(ORG_ROLE_FIELDS),
            }
        }
    )
    print(f"demo CRM (Salesforce): serving {server.url}", file=sys.stderr, flush=True)
    return server
