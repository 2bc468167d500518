"""The demo company's Jiandaoyun (简道云) twin, served beside its HubSpot portal by the demo CRM
process (`ingestion.demo.crm_service`), so `sources.demo_crm = "jiandaoyun"` runs the demo
through the Jiandaoyun source. Its address, API key, forms and stages go to the demo's settings
file, where `ingestion.source_settings` finds them in demo mode."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable

from ingestion.demo.crm_server import CrmData
from ingestion.demo.jiandaoyun_records import forms_setting, jiandaoyun_company, stages_setting
from ingestion.demo.jiandaoyun_server import JdyCompany, JiandaoyunServer
from ingestion.demo.settings import write_demo_sources


def follow(portal: Callable[[], CrmData], api_key: str) -> Callable[[], JdyCompany]:
    """The twin of the portal as of now, rebuilt only when the portal's records are (and only
    when asked: a demo served through another CRM never builds it)."""
    cache: dict[str, object] = {}

    def current() -> JdyCompany:
        data = portal()
        if cache.get("data") is not data:
            company = jiandaoyun_company(data)
            company.api_key = api_key
            cache.update(data=data, company=company)
        return cache["company"]  # type: ignore[return-value]

    return current


def start_twin(portal: Callable[[], CrmData], api_key: str) -> JiandaoyunServer:
    """Serve the twin in a thread on a free port and point the demo's settings at it."""
    server = JiandaoyunServer(follow(portal, api_key), port=0)
    server.start_in_thread()
    write_demo_sources(
        {
            "jiandaoyun": {
                "base_url": server.url,
                "api_key": api_key,
                "forms": json.dumps(forms_setting()),
                "stages": json.dumps(stages_setting(portal()), ensure_ascii=False),
            }
        }
    )
    print(f"demo CRM (Jiandaoyun): serving {server.url}", file=sys.stderr, flush=True)
    return server
