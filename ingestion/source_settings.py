"""Which sources load, and from where: the one place that decides between one's own data and
the demo company.

A source is *configured* when its own dlt setting is present (`ingestion/.dlt/config.toml`,
`secrets.toml` or the environment): `sources.hubspot.access_token`,
`sources.orders_db.credentials`, `sources.crm_files.folder`, `sources.finance_files.folder`,
`sources.commission_plans.folder`, `sources.salesforce.client_id`, `sources.zoho.client_id`,
`sources.jiandaoyun.api_key` (their other settings, such as `instance_url`, `data_centre`, the
forms and stages, and the secrets, dlt finds under the same section: docs/crm-sources.md). A
configured source always loads from its own setting.

An unconfigured source loads the demo's stand-in only in *demo mode*: `[sources] demo = true`
(env `SOURCES__DEMO=true`) turns it on, `false` off; unset, demo mode is on exactly while none of
the four data sources is configured. So once one's own sources are set, nothing of the demo
loads: an unconfigured source is skipped (its raw tables are created empty, so the models still
build) and commission plans must be configured too, or none are loaded (no incentives).

The demo company's CRM is served through one CRM API at a time: `[sources] demo_crm` names it
(`hubspot`, the default, `salesforce`, `zoho` or `jiandaoyun`); in demo mode the other CRM APIs
are skipped.

`make demo` writes the demo's settings, in the same dlt shape, to the git-ignored
`<state>/demo/sources.toml`; this module reads them only in demo mode. The file holds no
warehouse password: the demo orders database is named, and found beside the warehouse.
"""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any

import dlt

import ingestion.pipelines  # noqa: F401  (points dlt at ingestion/.dlt before any lookup)
from ingestion.platform.paths import state_dir
from ingestion.platform.warehouse_url import warehouse_url, with_database

DATA_SOURCES = (
    "hubspot",
    "orders_db",
    "crm_files",
    "finance_files",
    "salesforce",
    "zoho",
    "jiandaoyun",
)
# the CRM APIs the demo company can be served through (`sources.demo_crm` picks one)
CRM_APIS = ("hubspot", "salesforce", "zoho", "jiandaoyun")
DEMO_CRM_SETTING = "sources.demo_crm"
# the setting that makes a source configured, and whether it is a secret
OWN_SETTING = {
    "hubspot": ("access_token", True),
    "orders_db": ("credentials", True),
    "crm_files": ("folder", False),
    "finance_files": ("folder", False),
    "commission_plans": ("folder", False),
    "salesforce": ("client_id", True),
    "zoho": ("client_id", True),
    "jiandaoyun": ("api_key", True),
}
DEMO_SETTING = "sources.demo"


class SourceNotConfigured(RuntimeError):
    """Demo mode is on but the demo has not been built: the message says what to do."""


def demo_sources_file() -> Path:
    """Where `make demo` writes the demo sources' settings (`[sources.<name>]` tables)."""
    return state_dir() / "demo" / "sources.toml"


def own_settings(source: str) -> dict[str, Any] | None:
    key, secret = OWN_SETTING[source]
    value = (dlt.secrets if secret else dlt.config).get(f"sources.{source}.{key}")
    if not value:
        return None
    settings: dict[str, Any] = {key: str(value)}
    if source == "hubspot":
        base_url = dlt.config.get("sources.hubspot.base_url")
        if base_url:
            settings["base_url"] = str(base_url)
    return settings


def _flag(value: Any) -> bool:
    return value if isinstance(value, bool) else str(value).strip().lower() in ("1", "true", "yes")


def demo_mode() -> bool:
    """`sources.demo` when set, else on exactly while none of the data sources is configured."""
    setting = dlt.config.get(DEMO_SETTING)
    if setting is not None and str(setting).strip() != "":
        return _flag(setting)
    return not any(own_settings(source) for source in DATA_SOURCES)


def demo_crm() -> str:
    """The CRM API the demo company is served through: `sources.demo_crm`, `hubspot` unless set."""
    name = str(dlt.config.get(DEMO_CRM_SETTING) or "hubspot").strip().lower()
    if name not in CRM_APIS:
        raise ValueError(
            f"{DEMO_CRM_SETTING} = {name!r} names no CRM API: use one of {', '.join(CRM_APIS)}"
        )
    return name


def demo_loads_dir() -> Path:
    """One empty file per dataset (`raw_<name>`) that has ever loaded demo rows, so
    `make demo-remove` knows what to take out, whatever is configured by then."""
    return state_dir() / "demo" / "loaded"


def demo_settings(source: str) -> dict[str, Any] | None:
    """The demo's settings for `source` as `make demo` wrote them, None before it ran."""
    path = demo_sources_file()
    if not path.exists():
        return None
    section = tomllib.loads(path.read_text()).get("sources", {}).get(source)
    if not section:
        return None
    settings = dict(section)
    if "database" in settings:  # the demo orders database, beside the warehouse
        settings = {"credentials": with_database(warehouse_url(), settings.pop("database"))}
    return settings


def source_settings(source: str) -> dict[str, Any] | None:
    """The keyword arguments `source` loads with: its own settings, else the demo's in demo
    mode, else None (skip it: own-data mode and the source is not configured)."""
    own = own_settings(source)
    if own:
        return own
    if not demo_mode():
        return None
    if source in CRM_APIS and source != demo_crm():
        return None  # the demo's CRM comes through the other API
    demo = demo_settings(source)
    if demo is None:
        key, _ = OWN_SETTING[source]
        raise SourceNotConfigured(
            f"{source} is not configured and the demo has not been built: set "
            f"sources.{source}.{key} (env SOURCES__{source.upper()}__{key.upper()}) for your "
            "own data, or run `make demo` for the demo company"
        )
    return demo
