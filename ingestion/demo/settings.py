"""Where the demo sources live: the orders database beside the warehouse, files and the CRM
server's address under the state folder (`.state/demo/`)."""

from __future__ import annotations

import json
import os
from pathlib import Path

from ingestion.platform.paths import state_dir
from ingestion.platform.warehouse_url import warehouse_url, with_database

DEMO_ORDERS_DATABASE = "demo_orders"
DEFAULT_SEED = 7
DEFAULT_CRM_PORT = 8765


def demo_dir() -> Path:
    """The demo's working folder (the state folder follows `SPW_STATE_DIR`, as dlt's does)."""
    return state_dir() / "demo"


def demo_orders_url() -> str:
    """The demo orders database: `DEMO_ORDERS_URL`, else a database beside the warehouse."""
    return os.environ.get("DEMO_ORDERS_URL") or with_database(warehouse_url(), DEMO_ORDERS_DATABASE)


def demo_finance_folder() -> Path:
    return demo_dir() / "finance"


def demo_crm_files_folder() -> Path:
    return demo_dir() / "crm_files"


def demo_crm_endpoint() -> tuple[str, str] | None:
    """The running demo CRM server's base URL and token, when `make demo` started one."""
    path = demo_dir() / "crm_server.json"
    if not path.exists():
        return None
    endpoint = json.loads(path.read_text())
    return endpoint["url"], endpoint["token"]
