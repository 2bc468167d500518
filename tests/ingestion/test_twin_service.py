"""The demo's CRM twins: each serves the portal's twin and writes the settings that reach it."""

from __future__ import annotations

import pytest
import requests
from fixtures.tiny_company.crm import crm_data

from ingestion.demo import jiandaoyun_service, salesforce_service, zoho_service
from ingestion.source_settings import demo_settings

ADDRESS_SETTING = {"salesforce": "instance_url", "zoho": "data_centre", "jiandaoyun": "base_url"}


@pytest.mark.parametrize(
    ("name", "service"),
    [
        ("salesforce", salesforce_service),
        ("zoho", zoho_service),
        ("jiandaoyun", jiandaoyun_service),
    ],
)
def test_a_twin_serves_the_portal_and_the_settings_point_at_it(
    name: str, service, monkeypatch: pytest.MonkeyPatch, tmp_path
) -> None:
    monkeypatch.setenv("SPW_STATE_DIR", str(tmp_path))
    data = crm_data()
    server = service.start_twin(lambda: data, "demo-secret-4711")
    try:
        settings = demo_settings(name)
        assert settings is not None
        assert settings[ADDRESS_SETTING[name]] == server.url
        assert "demo-secret-4711" in settings.values()
        # the server is up: a request without credentials or route is refused, not dropped
        assert requests.get(server.url + "/", timeout=5).status_code >= 400
    finally:
        server.shutdown()
        server.server_close()
