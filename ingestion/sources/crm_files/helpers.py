"""The YAML mapping and the conversion of export rows to CRM records (or rejections)."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, Field, ValidationError, model_validator

from ingestion.sources.crm_files.settings import (
    ACTIVITY_TYPES,
    CLOSED_STAGES,
    FIELDS,
    MAPPING_FILE,
)
from ingestion.sources.schema import KNOWN_CURRENCIES, rejection
from ingestion.sources.tabular_files import (
    FIRST_ROW,
    CellError,
    parse_datetime,
    parse_decimal,
    read_rows,
)


class Person(BaseModel):
    owner_id: str
    email: str = ""


class FileMapping(BaseModel):
    """How one export file reads: its format, and our field -> its column."""

    path: str
    entity: Literal["deals", "activities", "companies"]
    encoding: str = "utf-8-sig"
    delimiter: str = ","
    decimal: str = "."
    thousands: str = ""
    datetime_format: str | None = None
    sheet: str | None = None
    columns: dict[str, str]
    stage_dates: dict[str, str] = Field(default_factory=dict)

    @model_validator(mode="after")
    def _fields_known(self) -> FileMapping:
        required, optional = FIELDS[self.entity]
        missing = [f for f in required if f not in self.columns]
        unknown = [f for f in self.columns if f not in required + optional]
        if missing or unknown:
            raise ValueError(f"{self.path}: missing {missing}, unknown {unknown} in columns")
        return self


class Mapping(BaseModel):
    timezone: str = "UTC"
    pipeline_id: str = "default"
    currencies: list[str] = Field(default_factory=lambda: sorted(KNOWN_CURRENCIES))
    people: dict[str, Person]
    stages: dict[str, str]
    activity_types: dict[str, str] = Field(default_factory=dict)
    files: list[FileMapping]


def load_mapping(folder: Path) -> Mapping:
    path = folder / MAPPING_FILE
    if not path.exists():
        raise FileNotFoundError(
            f"{path} is missing: a CRM export folder needs its mapping "
            "(see ingestion/sources/crm_files/README.md)"
        )
    try:
        return Mapping.model_validate(yaml.safe_load(path.read_text(encoding="utf-8")))
    except ValidationError as exc:
        raise ValueError(f"{path} is not a valid mapping: {exc}") from exc


@dataclass
class Converted:
    """Records and rejections per table, and the files each table reads."""

    root: Path
    rows: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    files: dict[str, list[Path]] = field(default_factory=dict)

    def add(self, table: str, path: Path, row: dict[str, Any] | None = None) -> None:
        self.rows.setdefault(table, [])
        if row is not None:
            self.rows[table].append(row)
        if path not in self.files.setdefault(table, []):
            self.files[table].append(path)


class _Row:
    """One export row with the mapping's parsers, each failure a located `CellError`."""

    def __init__(self, mapping: Mapping, spec: FileMapping, number: int, raw: dict) -> None:
        self.mapping, self.spec, self.number, self.raw = mapping, spec, number, raw

    def where(self, name: str) -> tuple[str, int, str]:
        return (self.spec.path, self.number, self.spec.columns.get(name, name))

    def text(self, name: str, required: bool = False) -> str | None:
        column = self.spec.columns.get(name)
        value = self.raw.get(column, "") if column else ""
        if column and column not in self.raw:
            raise CellError(*self.where(name), "column not found in the file")
        if value == "":
            if required:
                raise CellError(*self.where(name), "is required")
            return None
        return value

    def moment(self, name: str, required: bool = False, column: str | None = None):
        value = self.raw.get(column, "") if column else self.text(name, required)
        if not value:
            return None
        where = (self.spec.path, self.number, column) if column else self.where(name)
        return parse_datetime(value, where, self.spec.datetime_format, self.mapping.timezone)

    def owner(self) -> str:
        name = self.text("owner", required=True)
        person = self.mapping.people.get(name)
        if person is None:
            raise CellError(*self.where("owner"), f"{name!r} is not in the mapping's people")
        return person.owner_id

    def amount(self):
        value = self.text("amount")
        if value is None:
            return None
        return parse_decimal(value, self.where("amount"), self.spec.decimal, self.spec.thousands)

    def currency(self) -> str | None:
        value = self.text("currency")
        if value is None:
            return None
        if value.upper() not in self.mapping.currencies:
            raise CellError(*self.where("currency"), f"unknown currency {value!r}")
        return value.upper()

    def stage(self) -> str:
        label = self.text("stage", required=True)
        if label not in self.mapping.stages:
            raise CellError(*self.where("stage"), f"{label!r} is not in the mapping's stages")
        return self.mapping.stages[label]


def _deal(row: _Row, out: Converted, path: Path) -> dict[str, Any]:
    created, closed = row.moment("created_at", required=True), row.moment("closed_at")
    deal = {
        "deal_id": row.text("deal_id", required=True),
        "deal_name": row.text("deal_name"),
        "pipeline_id": row.mapping.pipeline_id,
        "stage_id": row.stage(),
        "owner_id": row.owner(),
        "company_id": row.text("company_id"),
        "amount": row.amount(),
        "amount_currency": row.currency(),
        "lead_source": row.text("lead_source"),
        "loss_reason": row.text("loss_reason"),
        "created_at": created,
        "closed_at": closed,
        # without a last-modified column, the latest date the row shows
        "updated_at": row.moment("updated_at") or closed or created,
    }
    changes = [
        (stage_id, row.moment("", column=column))
        for stage_id, column in row.spec.stage_dates.items()
    ]
    if deal["stage_id"] in CLOSED_STAGES:
        changes.append((deal["stage_id"], deal["closed_at"] or deal["updated_at"]))
    for stage_id, at in changes:
        if at is not None:
            out.add(
                "deal_stage_changes",
                path,
                {
                    "deal_id": deal["deal_id"],
                    "stage_id": stage_id,
                    "changed_at": at,
                    "source_file": row.spec.path,
                },
            )
    return deal


def _activity(row: _Row, out: Converted, path: Path) -> dict[str, Any]:
    occurred = row.moment("occurred_at", required=True)
    label = row.text("activity_type", required=True)
    kind = row.mapping.activity_types.get(label, label)
    if kind not in ACTIVITY_TYPES:
        raise CellError(*row.where("activity_type"), f"{label!r} is not a known activity type")
    return {
        "activity_id": row.text("activity_id", required=True),
        "activity_type": kind,
        "owner_id": row.owner(),
        "deal_id": row.text("deal_id"),
        "company_id": row.text("company_id"),
        "occurred_at": occurred,
        "updated_at": row.moment("updated_at") or occurred,
    }


def _company(row: _Row, out: Converted, path: Path) -> dict[str, Any]:
    return {
        "company_id": row.text("company_id", required=True),
        "company_name": row.text("company_name"),
        "customer_id": row.text("customer_id"),
        "industry": row.text("industry"),
        "created_at": row.moment("created_at"),
    }


CONVERTERS = {"deals": _deal, "activities": _activity, "companies": _company}


def convert_folder(folder: Path) -> Converted:
    """Every mapped file of the folder, as records and rejected rows per table."""
    mapping = load_mapping(folder)
    out = Converted(root=folder)
    mapping_path = folder / "mapping.yml"
    for name, person in mapping.people.items():
        out.add(
            "owners",
            mapping_path,
            {"owner_id": person.owner_id, "full_name": name, "email": person.email},
        )
    for spec in mapping.files:
        path = folder / spec.path
        if not path.exists():
            raise FileNotFoundError(f"{path} is named in {MAPPING_FILE} but does not exist")
        table = spec.entity
        out.add(table, path)
        out.add(f"{table}_rejected", path)
        if table == "deals":
            out.add("deal_stage_changes", path)
        for number, raw in enumerate(
            read_rows(path, spec.encoding, spec.delimiter, spec.sheet), start=FIRST_ROW
        ):
            row = _Row(mapping, spec, number, raw)
            try:
                record = CONVERTERS[table](row, out, path)
            except CellError as error:
                location = {"source_file": error.file, "source_row": error.row}
                out.add(
                    f"{table}_rejected", path, rejection(location, error.field, error.reason, raw)
                )
                continue
            out.add(table, path, {**record, "source_file": spec.path, "source_row": number})
    return out
