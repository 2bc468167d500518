"""Where the demo sources live: the orders database beside the warehouse, files and the CRM
server's address under the state folder (`.state/demo/`), and the dlt settings that point the
pipeline at them (`.state/demo/sources.toml`, read by `ingestion.source_settings` in demo mode)."""

from __future__ import annotations

import json
import os
import tomllib
from pathlib import Path

from ingestion.platform.paths import PROJECT_ROOT, state_dir
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


def demo_plans_folder() -> Path:
    """The demo company's commission plans (plans by role), used only in demo mode."""
    return PROJECT_ROOT / "ingestion" / "demo" / "plans"


def write_demo_sources(sections: dict[str, dict[str, str]]) -> None:
    """Merge `{source: {key: value}}` into the demo's dlt settings file (`[sources.<source>]`).

    Written by `make demo` (and the CRM server for its address), so no pipeline module needs to
    know where the demo keeps anything. No warehouse password goes in: the orders database is
    given by name (`database`), the pipeline finds it beside the warehouse."""
    from ingestion.source_settings import demo_sources_file

    path = demo_sources_file()
    current = tomllib.loads(path.read_text()).get("sources", {}) if path.exists() else {}
    for source, values in sections.items():
        current[source] = {**current.get(source, {}), **values}
    lines = ["# Written by `make demo`: the demo sources, for `ingestion.source_settings`."]
    for source, values in sorted(current.items()):
        lines.append(f"\n[sources.{source}]")
        lines += [f"{key} = {json.dumps(str(value))}" for key, value in sorted(values.items())]
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(lines) + "\n")
    path.chmod(0o600)
