"""CRM export files (CSV/XLSX) for teams whose CRM has no API, mapped by YAML onto our CRM model.

A folder (`sources.crm_files.folder`) holds the exports and `mapping.yml`, which says for each
file its encoding (UTF-8 with or without BOM, GBK...), delimiter, decimal and thousands marks,
date-time formats and time zone, which of its columns is which of our fields (Chinese headers are
fine), constants, defaults and value maps, how its stage names and activity types map to ours
(or the file user's own pipelines), which person is which CRM owner, whether a file is a full
snapshot (rows that vanish are marked deleted) and which file updates which.
See `README.md` here for a worked example of every key.

Every row read is accounted for in `file_reconciliation`: loaded, merged into another file's
row on the same key (`merged_rows`), or rejected to `<table>_rejected` with the raw row, the
file, row and field, and the reason. No date cursor decides what loads: a file is known by its
content and a row by its key and values, so a historic export loaded after newer ones loads in
full, and a run with no changed file loads nothing.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Iterator
from datetime import UTC, datetime
from functools import cache, partial
from pathlib import Path
from typing import Any

import dlt
from dlt.sources import DltResource

from ingestion.sources.crm_files.folder import Converted, convert_folder
from ingestion.sources.crm_files.settings import COLUMN_HINTS
from ingestion.sources.finance_files.helpers import org_owner_ids
from ingestion.sources.schema import SCHEMA_CONTRACT, materialize_once, typed_columns
from ingestion.sources.tabular_files import (
    RECONCILIATION_KEY,
    FolderTable,
    changed_files,
    folder_table_resource,
)

LOG = logging.getLogger(__name__)
PRIMARY_KEYS: dict[str, str | list[str]] = {
    "owners": "owner_id",
    "deals": "deal_id",
    "deal_stage_changes": ["deal_id", "stage_id", "changed_at"],
    "activities": "activity_id",
    "companies": "company_id",
    "deals_rejected": ["source_file", "source_row"],
    "activities_rejected": ["source_file", "source_row"],
    "companies_rejected": ["source_file", "source_row"],
    "merged_rows": ["source_file", "source_row"],
    "pipelines": "pipeline_id",
    "pipeline_stages": "stage_id",
    "file_reconciliation": RECONCILIATION_KEY,
}


@dlt.source(name="crm_files", max_table_nesting=0)
def crm_files(
    folder: str = dlt.config.value, org_folder: str | None = None
) -> Iterable[DltResource]:
    """One merged resource per CRM table of the export folder, rejections, merges, per-file
    reconciliation and the rows snapshot files no longer hold.

    `org_folder` (default: finance's folder, `sources.finance_files.folder`) is only read to
    warn about people the exports name and the org files do not."""
    org = org_folder or dlt.config.get("sources.finance_files.folder")

    @cache
    def read() -> Converted:
        converted = convert_folder(Path(folder))
        if org and Path(org).is_dir():
            warn_people_outside_org(converted, Path(org))
        return converted

    for name, key in PRIMARY_KEYS.items():
        yield folder_table_resource(name, key, COLUMN_HINTS[name], partial(_table, read, name))
    yield _deleted_rows(read)


def warn_people_outside_org(converted: Converted, org_folder: Path) -> None:
    """List the exports' people missing from the org files: they load as unassigned reps
    (from the first day the exports show them) until finance adds them."""
    known = org_owner_ids(org_folder)
    missing = sorted(
        f"{row['full_name']} ({row['owner_id']})"
        for row in converted.rows.get("owners", [])
        if row["owner_id"] not in known
    )
    if missing:
        LOG.warning(
            "people in the CRM exports but in no org file of %s (loaded as unassigned reps): %s",
            org_folder,
            ", ".join(missing),
        )


def _table(read: Callable[[], Converted], name: str) -> FolderTable:
    converted = read()
    if name == "file_reconciliation":
        rows = [count.row() for count in converted.counts.values()]
    else:
        rows = converted.rows.get(name, [])
    return FolderTable(converted.root, converted.files, rows)


def _deleted_rows(read: Callable[[], Converted]) -> DltResource:
    """Keys that vanished from a `mode: snapshot` file (and from every other file): marked
    deleted, not removed, as the CRM API's archived deals are; a key that comes back is
    unmarked. The previous version's keys live in the resource's dlt state."""

    @dlt.resource(
        name="deleted_rows",
        primary_key=["entity", "key"],
        write_disposition="merge",
        schema_contract=SCHEMA_CONTRACT,
        columns=typed_columns(COLUMN_HINTS["deleted_rows"]),
    )
    def rows() -> Iterator[Any]:
        converted = read()
        yield from materialize_once()
        if not changed_files(converted.files, converted.root):
            return
        state = dlt.current.resource_state()
        before: dict[str, list[str]] = state.setdefault("snapshot_keys", {})
        deleted: dict[str, str] = state.setdefault("deleted", {})
        now, out = datetime.now(UTC), []
        for path, (entity, keys) in converted.snapshot_keys.items():
            present = converted.present.get(entity, set())
            for key in sorted(set(before.get(path, [])) - set(keys) - present):
                deleted[f"{entity}|{key}"] = path
                out.append(_deletion(entity, key, path, True, now))
            before[path] = keys
        for name, path in list(deleted.items()):
            entity, key = name.split("|", 1)
            if key in converted.present.get(entity, set()):
                del deleted[name]
                out.append(_deletion(entity, key, path, False, now))
        if out:
            yield out

    return rows


def _deletion(entity: str, key: str, path: str, is_deleted: bool, at: datetime) -> dict:
    return {
        "entity": entity,
        "key": key,
        "source_file": path,
        "is_deleted": is_deleted,
        "changed_at": at,
    }
