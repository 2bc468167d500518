"""A whole export folder to one record per key per table, and an account of every row read.

All files of the folder are read on every run (exports are small): rows sharing a key are
merged here, before dlt sees them, so the warehouse never holds two candidates for one key and
dlt's merge never picks one at random. Rows may share a key only along a declared `updates:`
chain (later files win for the fields they give); any other duplicate, in one file or across
files, is refused with every place it occurs named.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ingestion.sources.crm_files.helpers import (
    CONVERTERS,
    FileMapping,
    Mapping,
    Row,
    load_mapping,
)
from ingestion.sources.crm_files.settings import KEYS, MAPPING_FILE
from ingestion.sources.schema import rejection
from ingestion.sources.tabular_files import (
    CellError,
    FileCount,
    digest,
    log_reconciliation,
    read_rows,
    refuse_beyond_header,
)

LOG = logging.getLogger(__name__)
# a merged record lacking one of these is rejected (a file updating another may omit them)
REQUIRED = {
    "deals": ("deal_id", "owner_id", "stage_id", "created_at"),
    "activities": ("activity_id", "activity_type", "owner_id", "occurred_at"),
    "companies": ("company_id",),
}
# the mapping field that fills a record column, where their names differ
FIELD_OF = {"owner_id": "owner", "stage_id": "stage", "amount_currency": "currency"}
# without a last-modified column, a record's latest date is the first of these it has
LATEST = {
    "deals": ("updated_at", "closed_at", "created_at"),
    "activities": ("updated_at", "occurred_at"),
}


@dataclass
class Candidate:
    """One readable row: its record, the stage entries it shows, and where it was."""

    spec: FileMapping
    number: int
    raw: dict[str, str]
    record: dict[str, Any]
    changes: list[tuple[str, Any]]

    @property
    def place(self) -> str:
        return f"{self.spec.path} row {self.number}"


@dataclass
class Converted:
    """Records and rejections per table, the files they all depend on, per-file counts,
    and the keys each snapshot file holds (to tell which rows vanished)."""

    root: Path
    rows: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    files: list[Path] = field(default_factory=list)
    counts: dict[str, FileCount] = field(default_factory=dict)
    snapshot_keys: dict[str, tuple[str, list[str]]] = field(default_factory=dict)
    present: dict[str, set[str]] = field(default_factory=dict)

    def add(self, table: str, row: dict[str, Any]) -> None:
        self.rows.setdefault(table, []).append(row)

    def reject(self, table: str, spec: FileMapping, number: int, raw: dict, error: CellError):
        count = self.counts[spec.path]
        count.reject(f"row {error.row} {error.field}: {error.reason}")
        location = {"source_file": error.file, "source_row": error.row}
        row = rejection(location, error.field, error.reason, raw)
        self.add(f"{table}_rejected", {**row, "content_hash": count.content_hash})


def _family(mapping: Mapping, path: str) -> str:
    """The first file of an `updates:` chain: files of one family may share keys."""
    specs = {f.path: f for f in mapping.files}
    while specs[path].updates:
        path = specs[path].updates
    return path


def _read(mapping: Mapping, spec: FileMapping, out: Converted) -> list[Candidate]:
    path = out.root / spec.path
    if not path.exists():
        raise FileNotFoundError(f"{path} is named in {MAPPING_FILE} but does not exist")
    rows = read_rows(path, spec.encoding, spec.delimiter, spec.sheet, spec.header_row)
    out.counts[spec.path] = FileCount(spec.path, digest(path), rows_read=len(rows))
    key_field = KEYS[spec.entity]
    candidates, keys = [], []
    for number, raw in rows:
        row = Row(mapping, spec, number, raw)
        try:
            keys.append(row.key(key_field))
            refuse_beyond_header(spec.path, number, raw)
            record, changes = CONVERTERS[spec.entity](row)
        except CellError as error:
            out.reject(spec.entity, spec, number, raw, error)
            continue
        candidates.append(Candidate(spec, number, raw, record, changes))
    out.present.setdefault(spec.entity, set()).update(keys)
    if spec.mode == "snapshot":
        out.snapshot_keys[spec.path] = (spec.entity, sorted(set(keys)))
    return candidates


def _refuse(out: Converted, name: str, entity: str, group: list[Candidate], reason: str) -> None:
    """Reject every row of the group at field `name` (its column where the file maps it)."""
    for candidate in group:
        others = ", ".join(c.place for c in group if c is not candidate)
        column = candidate.spec.columns.get(name, name)
        place = (candidate.spec.path, candidate.number, column)
        error = CellError(*place, reason.replace("{others}", others))
        out.reject(entity, candidate.spec, candidate.number, candidate.raw, error)


def _resolve(mapping: Mapping, entity: str, group: list[Candidate], out: Converted) -> None:
    """One record from the rows sharing a key, or all of them refused naming each other."""
    key_field = KEYS[entity]
    key = group[0].record[key_field]
    files = [c.spec.path for c in group]
    if len(set(files)) < len(files) or len({_family(mapping, f) for f in files}) > 1:
        _refuse(
            out,
            key_field,
            entity,
            group,
            f"{key_field} {key!r} is also in {{others}}: a key may repeat only where a file "
            "declares `updates:` the file it updates (fix the key or declare the update)",
        )
        return
    record = dict(group[0].record)
    for later in group[1:]:
        record.update({k: v for k, v in later.record.items() if v is not None})
    missing = [name for name in REQUIRED[entity] if record.get(name) is None]
    if missing:
        field_name = FIELD_OF.get(missing[0], missing[0])
        _refuse(
            out, field_name, entity, group, f"{key_field} {key!r} has no {missing[0]} in any file"
        )
        return
    if record.get("amount") is not None and record.get("amount_currency") is None:
        _refuse(
            out,
            "currency",
            entity,
            group,
            "an amount without a currency: map a currency column or set "
            "`defaults: {currency: ...}` for the file",
        )
        return
    latest = LATEST.get(entity, ())
    if latest:
        record["updated_at"] = next((record[c] for c in latest if record.get(c)), None)
    if entity == "deals":
        _finish_deal(mapping, record, group, out)
    first = group[0]
    out.counts[first.spec.path].rows_loaded += 1
    for later in group[1:]:
        out.counts[later.spec.path].rows_merged += 1
        out.add(
            "merged_rows",
            {
                "source_file": later.spec.path,
                "source_row": later.number,
                "entity": entity,
                "merged_into_key": key,
                "merged_into_file": first.spec.path,
                "merged_into_row": first.number,
            },
        )
    out.add(
        entity,
        {
            **record,
            "source_file": first.spec.path,
            "source_row": first.number,
            "merged_from": ", ".join(c.place for c in group[1:]) or None,
        },
    )


def _finish_deal(
    mapping: Mapping, record: dict[str, Any], group: list[Candidate], out: Converted
) -> None:
    """Pipeline for a deal only updated, and its stage entries (the closing one included)."""
    record["pipeline_id"] = record["pipeline_id"] or mapping.default_pipeline
    entries = {
        (stage_id, at): candidate.spec.path
        for candidate in group
        for stage_id, at in candidate.changes
    }
    if record["stage_id"] in mapping.closed_stages():
        closed_at = record["closed_at"] or record["updated_at"]
        entries.setdefault((record["stage_id"], closed_at), group[-1].spec.path)
    for (stage_id, at), path in entries.items():
        out.add(
            "deal_stage_changes",
            {
                "deal_id": record["deal_id"],
                "stage_id": stage_id,
                "changed_at": at,
                "source_file": path,
            },
        )


def _owners(mapping: Mapping, out: Converted) -> None:
    """The mapping's people, each with the first time a loaded row shows them (else the
    folder's earliest): a person the org files lack then still has a start as an unassigned
    rep, instead of a NULL `valid_from` failing deep in dbt."""
    seen: dict[str, Any] = {}
    for table, column in (("deals", "created_at"), ("activities", "occurred_at")):
        for row in out.rows.get(table, []):
            if row[column] is not None and (
                row["owner_id"] not in seen or row[column] < seen[row["owner_id"]]
            ):
                seen[row["owner_id"]] = row[column]
    earliest = min(seen.values(), default=None)
    for name, person in mapping.people.items():
        out.add(
            "owners",
            {
                "owner_id": person.owner_id,
                "full_name": name,
                "email": person.email,
                "created_at": seen.get(person.owner_id, earliest),
            },
        )


def convert_folder(folder: Path) -> Converted:
    """Every mapped file of the folder, as one record per key per table and rejected rows."""
    mapping = load_mapping(folder)
    out = Converted(root=folder)
    mapping_path = folder / MAPPING_FILE
    for pipeline in mapping.pipelines:
        out.add(
            "pipelines",
            {
                "pipeline_id": pipeline.id,
                "pipeline_label": pipeline.label,
                "display_order": pipeline.order,
            },
        )
        for stage in pipeline.stages:
            out.add(
                "pipeline_stages",
                {
                    "pipeline_id": pipeline.id,
                    "stage_id": stage.id,
                    "label_en": stage.label_en,
                    "label_zh": stage.label_zh or None,
                    "display_order": stage.order,
                    "probability": stage.probability,
                    "is_won": stage.is_won,
                    "is_lost": stage.is_lost,
                },
            )
    groups: dict[str, dict[str, list[Candidate]]] = {}
    for spec in mapping.files:
        for candidate in _read(mapping, spec, out):
            key = candidate.record[KEYS[spec.entity]]
            groups.setdefault(spec.entity, {}).setdefault(key, []).append(candidate)
    for entity, by_key in groups.items():
        for group in by_key.values():
            _resolve(mapping, entity, group, out)
    _owners(mapping, out)
    out.files = [mapping_path, *(folder / spec.path for spec in mapping.files)]
    log_reconciliation(list(out.counts.values()), LOG)
    return out
