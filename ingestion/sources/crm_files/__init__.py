"""CRM export files (CSV/XLSX) for teams whose CRM has no API, mapped by YAML onto our CRM model.

A folder (`sources.crm_files.folder`) holds the exports and `mapping.yml`, which says for each
file its encoding (UTF-8 with or without BOM, GBK...), delimiter, decimal and thousands marks,
date-time format and time zone, which of its columns is which of our fields (Chinese headers are
fine), how its stage names and activity types map to ours, and which person is which CRM owner.
See `README.md` here for a worked example.

Rows that break the mapping (unknown person or stage, unparsable amount or date, unknown
currency, a missing key) go to `<table>_rejected` with the raw row, the file, row and field, and
the reason. A file is reloaded (merged on its keys) only when its content changed.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from functools import cache, partial
from pathlib import Path

import dlt
from dlt.sources import DltResource

from ingestion.sources.crm_files.helpers import Converted, convert_folder
from ingestion.sources.crm_files.settings import COLUMN_HINTS
from ingestion.sources.tabular_files import FolderTable, folder_table_resource

# columns that only grow: rows older than the last load are not loaded again (`updated_at` is
# filled from the export's last-modified column, else the creation or activity time)
CURSORS = {"deals": "updated_at", "activities": "updated_at", "deal_stage_changes": "changed_at"}
PRIMARY_KEYS: dict[str, str | list[str]] = {
    "owners": "owner_id",
    "deals": "deal_id",
    "deal_stage_changes": ["deal_id", "stage_id", "changed_at"],
    "activities": "activity_id",
    "companies": "company_id",
    "deals_rejected": ["source_file", "source_row"],
    "activities_rejected": ["source_file", "source_row"],
    "companies_rejected": ["source_file", "source_row"],
}


@dlt.source(name="crm_files", max_table_nesting=0)
def crm_files(folder: str = dlt.config.value) -> Iterable[DltResource]:
    """One merged resource per CRM table found in the export folder, plus rejections."""

    @cache
    def read() -> Converted:
        return convert_folder(Path(folder))

    for name, key in PRIMARY_KEYS.items():
        yield folder_table_resource(name, key, COLUMN_HINTS[name], partial(_table, read, name))


def _table(read: Callable[[], Converted], name: str) -> FolderTable:
    converted = read()
    files = converted.files.get(name, [])
    return FolderTable(
        converted.root,
        files,
        converted.rows.get(name, []),
        by_file=name != "owners",
        cursor=CURSORS.get(name),
    )
