"""Schema rules every source shares."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import dlt

# New columns evolve the raw schema; a column whose type changes stops the load with an error
# naming the table and column (dlt's DataValidationError) instead of creating variant columns.
SCHEMA_CONTRACT: dict[str, str] = {"tables": "evolve", "columns": "evolve", "data_type": "freeze"}


def typed_columns(columns: dict[str, str]) -> dict[str, dict[str, str]]:
    """dlt column hints from `{column: data type}`."""
    return {name: {"data_type": kind} for name, kind in columns.items()}


def materialize_once() -> Iterator[Any]:
    """Create the resource's table on its first load even if it has no rows yet, so the models
    reading it never meet a missing relation. Yield from it inside a resource."""
    state = dlt.current.resource_state()
    if not state.get("materialized"):
        state["materialized"] = True
        yield dlt.mark.materialize_table_schema()
