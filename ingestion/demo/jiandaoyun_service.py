"""The demo company's Jiandaoyun (简道云) twin, served beside its HubSpot portal by the demo CRM
process (`ingestion.demo.crm_service`), so `sources.demo_crm = "jiandaoyun"` runs the demo
through the Jiandaoyun source. Its address, API key, forms and stages go to the demo's settings
file, where `ingestion.source_settings` finds them in demo mode."""

from __future__ import annotations

import json
from collections.abc import Callable

from ingestion.demo.crm_server import CrmData
from ingestion.demo.jiandaoyun_records import forms_setting, jiandaoyun_company, stages_setting
from ingestion.demo.jiandaoyun_server import JdyCompany, JiandaoyunServer
from ingestion.demo.twin_service import follow, serve


def start_twin(portal: Callable[[], CrmData], api_key: str) -> JiandaoyunServer:
    """Serve the twin in a thread on a free port and point the demo's settings at it."""

    def company_of(data: CrmData) -> JdyCompany:
        company = jiandaoyun_company(data)
        company.api_key = api_key
        return company

    server = JiandaoyunServer(follow(portal, company_of), port=0)
    settings = {
        "base_url": server.url,
        "api_key": api_key,
        "forms": json.dumps(forms_setting()),
        "stages": json.dumps(stages_setting(portal()), ensure_ascii=False),
    }
    return serve("Jiandaoyun", server, {"jiandaoyun": settings})
