"""What every CRM twin of the demo shares: a twin rebuilt from the HubSpot portal only when the
portal's records change, and a server started in a thread with the demo's settings pointing at
it. Each CRM's `<crm>_service` names its converter, its server and its settings."""

from __future__ import annotations

import sys
from collections.abc import Callable
from typing import Any, TypeVar

from ingestion.demo.crm_server import CrmData
from ingestion.demo.fake_api import FakeApiServer
from ingestion.demo.settings import write_demo_sources

Twin = TypeVar("Twin")
Server = TypeVar("Server", bound=FakeApiServer)


def follow(portal: Callable[[], CrmData], twin: Callable[[CrmData], Twin]) -> Callable[[], Twin]:
    """The twin of the portal as of now, rebuilt only when the portal's records are (and only
    when asked: a demo served through another CRM never builds it)."""
    cache: dict[str, Any] = {}

    def current() -> Twin:
        data = portal()
        if cache.get("data") is not data:
            cache.update(data=data, twin=twin(data))
        return cache["twin"]

    return current


def serve(label: str, server: Server, settings: dict[str, dict[str, Any]]) -> Server:
    """Serve in a daemon thread and point the demo's settings file at the server."""
    server.start_in_thread()
    write_demo_sources(settings)
    print(f"demo CRM ({label}): serving {server.url}", file=sys.stderr, flush=True)
    return server
