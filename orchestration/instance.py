"""The Dagster instance's settings: `dagster.yaml`, plus Postgres storage when configured.

Dagster reads one `dagster.yaml` in `DAGSTER_HOME`. This writes it there from the project's
`dagster.yaml`, adding `dagster.postgres.yaml`'s storage section when `DAGSTER_POSTGRES_URL` is set
(the URL itself stays in the environment), so one variable switches run, event log and schedule
storage from local SQLite files to PostgreSQL. The Makefile runs it before every Dagster command::

    python -m orchestration.instance      # writes $DAGSTER_HOME/dagster.yaml and says which storage
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Any

import yaml

from ingestion.platform.paths import PROJECT_ROOT

POSTGRES_ENV = "DAGSTER_POSTGRES_URL"
BASE_CONFIG = PROJECT_ROOT / "dagster.yaml"
POSTGRES_CONFIG = PROJECT_ROOT / "dagster.postgres.yaml"


def export_storage_url() -> None:
    """Point `DAGSTER_POSTGRES_URL` at the psycopg2 driver, which dagster-postgres needs.

    SQLAlchemy 2.1 reads a bare `postgresql://` URL with psycopg 3, on which dagster-postgres's
    event notifications fail (`NOTIFY run_events, $1`: a syntax error). Every process that opens
    the instance calls this first (`make pipeline`, `make run`), so users may give either form.
    """
    url = os.environ.get(POSTGRES_ENV, "").strip()
    for scheme in ("postgresql://", "postgres://"):
        if url.startswith(scheme):
            os.environ[POSTGRES_ENV] = "postgresql+psycopg2://" + url.removeprefix(scheme)


def instance_config() -> dict[str, Any]:
    """The instance settings for the current environment."""
    config = yaml.safe_load(BASE_CONFIG.read_text())
    if os.environ.get(POSTGRES_ENV, "").strip():
        config.update(yaml.safe_load(POSTGRES_CONFIG.read_text()))
    return config


def write_instance_config(home: Path) -> Path:
    """Write `dagster.yaml` into `home` (created if needed) and return its path."""
    home.mkdir(parents=True, exist_ok=True)
    target = home / "dagster.yaml"
    header = (
        f"# Written by `python -m orchestration.instance` from {BASE_CONFIG.name}; edit that.\n"
    )
    target.write_text(header + yaml.safe_dump(instance_config(), sort_keys=False))
    return target


def main() -> int:
    home = os.environ.get("DAGSTER_HOME")
    if not home:
        print("instance: DAGSTER_HOME is not set (the Makefile sets it)", file=sys.stderr)
        return 1
    path = write_instance_config(Path(home))
    storage = f"PostgreSQL ({POSTGRES_ENV})" if "storage" in instance_config() else "SQLite"
    print(f"instance: {path} (run and event storage: {storage})", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
