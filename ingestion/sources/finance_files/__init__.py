"""Finance and management inputs from a folder of CSV/XLSX files (`sources.finance_files.folder`).

Layout (a subfolder per kind; the project README lists every column):

- `org/regions.csv`, `org/teams.csv` (with the manager), `org/reps.csv` (role, hire and leave
  dates), `org/rep_assignments.csv` (effective-dated team membership, `valid_to` exclusive)
- `targets/*.csv|xlsx`: scope (company/region/team/rep), metric, period (`2026`, `2026-Q3`,
  `2026-07`), target, optional monthly weights `w01..w12` summing to 1
- `marketing_spend/*`: month, channel, region, amount, currency
- `fx_rates/*`: daily rates, 1 `from_currency` in `to_currency`

Everything is validated before anything loads (see `helpers`). When one of a table's files
changed, its new and changed rows load (merged on its key; no date cursor, so rates of any
past year load after newer ones); re-runs without changes load nothing. `file_reconciliation`
counts each file version's rows.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from functools import cache, partial
from pathlib import Path

import dlt
from dlt.sources import DltResource

from ingestion.sources.finance_files.helpers import FinanceFolder, read_folder
from ingestion.sources.tabular_files import (
    RECONCILIATION_COLUMNS,
    RECONCILIATION_KEY,
    FolderTable,
    folder_table_resource,
    log_reconciliation,
)

LOG = logging.getLogger(__name__)

PRIMARY_KEYS: dict[str, str | list[str]] = {
    "regions": "region_id",
    "teams": "team_id",
    "reps": "owner_id",
    "rep_assignments": ["owner_id", "valid_from"],
    "targets": "target_id",
    "target_weights": ["target_id", "month_start"],
    "marketing_spend": "spend_id",
    "fx_rates": ["rate_date", "from_currency", "to_currency"],
}
# every column, typed, so optional ones exist even when no row fills them
COLUMNS: dict[str, dict[str, str]] = {
    "regions": {"region_id": "text", "region_name": "text"},
    "teams": {
        "team_id": "text",
        "team_name": "text",
        "region_id": "text",
        "manager_owner_id": "text",
    },
    "reps": {
        "owner_id": "text",
        "full_name": "text",
        "email": "text",
        "role": "text",
        "hire_date": "date",
        "leave_date": "date",
    },
    "rep_assignments": {
        "owner_id": "text",
        "team_id": "text",
        "valid_from": "date",
        "valid_to": "date",
        "source_file": "text",
        "source_row": "bigint",
    },
    "targets": {
        "target_id": "text",
        "scope_type": "text",
        "scope_id": "text",
        "metric": "text",
        "period_type": "text",
        "period_start": "date",
        "period_months": "bigint",
        "target_amount": "decimal",
        "source_file": "text",
        "source_row": "bigint",
    },
    "target_weights": {"target_id": "text", "month_start": "date", "weight": "decimal"},
    "marketing_spend": {
        "spend_id": "text",
        "month_start": "date",
        "channel": "text",
        "region_id": "text",
        "spend_amount": "decimal",
        "spend_currency": "text",
    },
    "fx_rates": {
        "rate_date": "date",
        "from_currency": "text",
        "to_currency": "text",
        "fx_rate": "decimal",
    },
    "file_reconciliation": RECONCILIATION_COLUMNS,
}


@dlt.source(name="finance_files", max_table_nesting=0)
def finance_files(folder: str = dlt.config.value) -> Iterable[DltResource]:
    """One merged resource per table of the finance folder."""

    @cache
    def read() -> FinanceFolder:
        finance = read_folder(Path(folder))
        log_reconciliation(finance.counts, LOG)
        return finance

    for name, key in PRIMARY_KEYS.items():
        yield folder_table_resource(name, key, COLUMNS[name], partial(_table, read, name))
    # beside the data tables: a new file version adds its counts even when no data row changes
    yield folder_table_resource(
        "file_reconciliation",
        RECONCILIATION_KEY,
        COLUMNS["file_reconciliation"],
        partial(_table, read, "file_reconciliation"),
    )


def _table(read: Callable[[], FinanceFolder], name: str) -> FolderTable:
    folder = read()
    if name == "file_reconciliation":
        every_file = sorted({path for paths in folder.files.values() for path in paths})
        return FolderTable(folder.root, every_file, [count.row() for count in folder.counts])
    return FolderTable(folder.root, folder.files[name], folder.tables[name])
