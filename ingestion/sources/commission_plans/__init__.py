"""Commission plans as code: the YAML files in a folder, validated, flattened into `raw_plans`.

Unlike the data sources, an invalid plan is not quarantined row by row: paying anyone on a
partial set of plans would be wrong, so one bad file stops the load with an error naming every
file, plan and field at fault, and the previous load stays in place. Each load replaces the
tables, so the warehouse always mirrors the folder and reruns never duplicate.

Configuration (dlt conventions): `sources.commission_plans.folder`, a folder path absolute or
relative to the project root. The plan schema is documented in `docs/incentives.md`.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

import dlt
from dlt.extract import materialize_schema_item
from dlt.sources import DltResource

from ingestion.platform.paths import PROJECT_ROOT
from ingestion.sources.commission_plans.helpers import PlanFileError, PlanFolder
from ingestion.sources.commission_plans.settings import TABLES

__all__ = ["PlanFileError", "PlanFolder", "commission_plans", "resolve_folder"]


def resolve_folder(folder: str | Path) -> Path:
    """A configured folder, relative paths taken from the project root."""
    path = Path(folder)
    return path if path.is_absolute() else PROJECT_ROOT / path


@dlt.source(name="commission_plans", max_table_nesting=0)
def commission_plans(folder: str = dlt.config.value) -> Iterable[DltResource]:
    """One replaced table per plan element (see `settings.TABLES`), all read from `folder`.

    The folder is read when the load runs, not when the source is built.
    """
    path = resolve_folder(folder)
    for table, columns in TABLES.items():
        yield dlt.resource(
            _table_rows(path, table),
            name=table,
            write_disposition="replace",
            # fresh hint dicts: dlt names them in place, and the type hints are shared
            columns={column: dict(hint) for column, hint in columns.items()},
            schema_contract={"columns": "freeze"},
        )


def _table_rows(folder: Path, table: str) -> Iterator[list[dict[str, Any]]]:
    rows = list(getattr(PlanFolder.read(folder), table)())
    # an option no plan uses still gets its (empty) table, so staging always finds it
    yield rows or materialize_schema_item()
