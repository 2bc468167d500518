"""dlt pipelines into the warehouse: one per source, each loading its own `raw_<name>` schema."""

from __future__ import annotations

import os
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
# dlt finds `.dlt/config.toml` and `.dlt/secrets.toml` here, whatever the working directory.
os.environ.setdefault("DLT_PROJECT_DIR", str(PROJECT_ROOT / "ingestion"))

import dlt  # noqa: E402  (must see DLT_PROJECT_DIR first)
from dlt.pipeline.pipeline import Pipeline  # noqa: E402

from orchestration.warehouse import warehouse_url  # noqa: E402

STATE_DIR = Path(os.environ.get("SPW_STATE_DIR", PROJECT_ROOT / ".state"))


def raw_pipeline(name: str, url: str | None = None) -> Pipeline:
    """The dlt pipeline that loads source `name` into schema `raw_<name>` of the warehouse.

    Its working folder is disposable: dlt keeps the incremental state in the warehouse too.
    """
    return dlt.pipeline(
        pipeline_name=f"raw_{name}",
        destination=dlt.destinations.postgres(credentials=url or warehouse_url()),
        dataset_name=f"raw_{name}",
        pipelines_dir=str(STATE_DIR / "dlt"),
    )
