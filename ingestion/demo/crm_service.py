"""The demo CRM in the background: `make demo` starts it, `make stop` ends it.

`python -m ingestion.demo.crm_service` serves the demo company's HubSpot-shaped API on
127.0.0.1 (port 8765 when free) and writes its URL and token to `.state/demo/crm_server.json`,
where the HubSpot source finds it; its Salesforce, Zoho and Jiandaoyun twins beside it
(`salesforce_service`, `zoho_service`, `jiandaoyun_service`). After
`make demo-advance` it serves the new day's records. A sharded demo (XL, `ingestion.demo.shards`)
is served from its records in PostgreSQL (`ingestion.demo.crm_store`), without the twins.
"""

from __future__ import annotations

import json
import os
import secrets
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable
from pathlib import Path

from ingestion.demo import jiandaoyun_service, salesforce_service, zoho_service
from ingestion.demo import state as demo_state
from ingestion.demo.crm_records import crm_data
from ingestion.demo.crm_server import CrmData, CrmServer, CrmState
from ingestion.demo.crm_store import StoredCrm
from ingestion.demo.settings import (
    DEFAULT_CRM_PORT,
    demo_crm_endpoint,
    demo_dir,
    demo_orders_url,
    write_demo_sources,
)
from ingestion.demo.views import pipelines
from ingestion.platform.paths import PROJECT_ROOT, state_dir


def pid_file() -> Path:
    """The demo CRM's pid, beside those `make run` records (`make stop` ends them all)."""
    return state_dir() / "run" / "demo-crm.pid"


def follow_demo_state() -> Callable[[], CrmData]:
    """The CRM as of the demo's current state, rebuilt whenever the state file changes."""
    cache: dict[str, object] = {}

    def current() -> CrmData:
        stamp = demo_state.state_file().stat().st_mtime_ns
        if cache.get("stamp") != stamp:
            state = demo_state.load()
            assert state is not None
            if state.shards > 1:  # too large for memory: the records are in PostgreSQL
                cache["data"] = StoredCrm(demo_orders_url(), pipelines())
            else:
                cache["data"] = crm_data(state.company(), state.as_of_seconds())
            cache["stamp"] = stamp
        return cache["data"]  # type: ignore[return-value]

    return current


def _token() -> str:
    path = demo_dir() / "crm_token"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(secrets.token_urlsafe(24))
        path.chmod(0o600)
    return path.read_text().strip()


def serve() -> None:
    """Serve the demo CRM until terminated."""
    state = CrmState(follow_demo_state(), _token())
    state.current()  # build the records before announcing the address
    try:
        server = CrmServer(state, port=DEFAULT_CRM_PORT)
    except OSError:
        server = CrmServer(state, port=0)
    endpoint = demo_dir() / "crm_server.json"
    endpoint.write_text(json.dumps({"url": server.url, "token": state.token}))
    endpoint.chmod(0o600)
    # started on its own too (benchmarks): the pipeline's demo mode finds it either way
    write_demo_sources({"hubspot": {"base_url": server.url, "access_token": state.token}})
    print(f"demo CRM: serving {server.url}", file=sys.stderr, flush=True)
    demo = demo_state.load()
    if demo is None or demo.shards == 1:  # the twins serve from memory: not the sharded demo
        salesforce_service.start_twin(lambda: state.current()[0], state.token)
        zoho_service.start_twin(lambda: state.current()[0], state.token)
        jiandaoyun_service.start_twin(lambda: state.current()[0], state.token)
    server.serve_forever()


def _answers(url: str, token: str) -> bool:
    request = urllib.request.Request(
        f"{url}/crm/v3/owners?limit=1", headers={"Authorization": f"Bearer {token}"}
    )
    try:
        with urllib.request.urlopen(request, timeout=5) as response:
            return response.status == 200
    except OSError:
        return False


def _running_pid() -> int | None:
    try:
        pid = int(pid_file().read_text())
        os.kill(pid, 0)
        return pid
    except (FileNotFoundError, ValueError, ProcessLookupError, PermissionError):
        return None


def ensure_running(timeout_s: float = 300) -> str:
    """Start the demo CRM in the background unless it already answers; point the pipeline's demo
    mode at it (`write_demo_sources`) and return its URL."""
    base_url, token = _serving(timeout_s)
    write_demo_sources({"hubspot": {"base_url": base_url, "access_token": token}})
    return base_url


def _serving(timeout_s: float) -> tuple[str, str]:
    endpoint = demo_crm_endpoint()
    if _running_pid() and endpoint and _answers(*endpoint):
        return endpoint
    (demo_dir() / "crm_server.json").unlink(missing_ok=True)
    pid_file().parent.mkdir(parents=True, exist_ok=True)
    logs = state_dir() / "logs"
    logs.mkdir(parents=True, exist_ok=True)
    with open(logs / "demo-crm.log", "ab") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "ingestion.demo.crm_service"],
            cwd=PROJECT_ROOT,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    pid_file().write_text(str(process.pid))
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError("the demo CRM server exited: see .state/logs/demo-crm.log")
        endpoint = demo_crm_endpoint()
        if endpoint and _answers(*endpoint):
            return endpoint
        time.sleep(0.5)
    raise RuntimeError("the demo CRM server did not answer in time: see .state/logs/demo-crm.log")


if __name__ == "__main__":
    serve()
