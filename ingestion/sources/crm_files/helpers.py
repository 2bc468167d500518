"""The YAML mapping (a strict schema: every key documented in README.md) and the reading of one
export row into a CRM record, each failure a located `CellError`."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from ingestion.sources.crm_files.settings import (
    ACTIVITY_TYPES,
    CLOSED_STAGES,
    FIELDS,
    MAPPING_FILE,
)
from ingestion.sources.schema import KNOWN_CURRENCIES
from ingestion.sources.tabular_files import CellError, parse_datetime, parse_decimal


class MappingError(ValueError):
    """A mapping that cannot be right: raised before anything loads, naming the file, the field
    and the fix."""


class _Strict(BaseModel):
    # a misspelt key would otherwise be ignored and its rule silently not applied
    model_config = ConfigDict(extra="forbid")


class Person(_Strict):
    owner_id: str
    email: str = ""


class Stage(_Strict):
    """One stage of the file user's own pipeline (the columns of `stg_crm__pipeline_stages`)."""

    id: str
    label_en: str
    label_zh: str = ""
    order: int
    probability: Decimal = Decimal(0)
    is_won: bool = False
    is_lost: bool = False


class Pipeline(_Strict):
    id: str
    label: str
    order: int = 0
    stages: list[Stage]


class FileMapping(_Strict):
    """How one export file reads: its format, and our field -> its column, constant or default."""

    path: str
    entity: Literal["deals", "activities", "companies"]
    mode: Literal["increment", "snapshot"] = "increment"
    updates: str | None = None
    encoding: str = "utf-8-sig"
    delimiter: str = ","
    decimal: str = "."
    thousands: str = ""
    datetime_format: str | None = None
    datetime_formats: list[str] = Field(default_factory=list)
    timezone: str | None = None
    sheet: str | None = None
    header_row: int = Field(default=1, ge=1)
    columns: dict[str, str]
    constants: dict[str, str] = Field(default_factory=dict)
    defaults: dict[str, str] = Field(default_factory=dict)
    values: dict[str, dict[str, str]] = Field(default_factory=dict)
    stage_dates: dict[str, str] = Field(default_factory=dict)

    @property
    def formats(self) -> list[str]:
        return [*([self.datetime_format] if self.datetime_format else []), *self.datetime_formats]

    @model_validator(mode="after")
    def _fields_known(self) -> FileMapping:
        required, optional = FIELDS[self.entity]
        known = required + optional
        for part in ("columns", "constants", "defaults", "values"):
            unknown = [f for f in getattr(self, part) if f not in known]
            if unknown:
                raise ValueError(
                    f"{self.path}: unknown field(s) {unknown} in {part}; "
                    f"{self.entity} fields are {', '.join(known)}"
                )
        given = {*self.columns, *self.constants, *self.defaults}
        # a file updating another needs only the key: the other file gives the rest
        needed = required[:1] if self.updates else required
        missing = [f for f in needed if f not in given]
        if missing:
            raise ValueError(
                f"{self.path}: no column, constant or default for {missing}: "
                "map a column under `columns:` or give a value under `defaults:`"
            )
        both = sorted(set(self.constants) & set(self.columns))
        if both:
            raise ValueError(f"{self.path}: {both} are both a column and a constant: keep one")
        return self


class Mapping(_Strict):
    timezone: str = "UTC"
    pipeline_id: str | None = None
    currencies: list[str] = Field(default_factory=lambda: sorted(KNOWN_CURRENCIES))
    people: dict[str, Person]
    stages: dict[str, str] = Field(default_factory=dict)
    activity_types: dict[str, str] = Field(default_factory=dict)
    defaults: dict[str, str] = Field(default_factory=dict)
    values: dict[str, dict[str, str]] = Field(default_factory=dict)
    pipelines: list[Pipeline] = Field(default_factory=list)
    files: list[FileMapping]

    @property
    def default_pipeline(self) -> str:
        """The pipeline of rows that name none: the one declared, else the CRM's `default`."""
        if self.pipeline_id:
            return self.pipeline_id
        return self.pipelines[0].id if self.pipelines else "default"

    def stage_ids(self) -> dict[str, Stage]:
        return {stage.id: stage for pipeline in self.pipelines for stage in pipeline.stages}

    def closed_stages(self) -> set[str]:
        declared = {s.id for s in self.stage_ids().values() if s.is_won or s.is_lost}
        return {*CLOSED_STAGES, *declared}

    @model_validator(mode="after")
    def _consistent(self) -> Mapping:
        paths = [f.path for f in self.files]
        for spec in self.files:
            if spec.updates is None:
                continue
            earlier = {f.path: f for f in self.files[: paths.index(spec.path)]}
            if spec.updates not in earlier:
                raise ValueError(
                    f"{spec.path}: updates {spec.updates!r}, which is not a file listed before "
                    "it (list the file it updates first: later files win)"
                )
            if earlier[spec.updates].entity != spec.entity:
                raise ValueError(f"{spec.path}: updates {spec.updates!r}, a file of other rows")
        for zone in {self.timezone, *(f.timezone for f in self.files if f.timezone)}:
            try:
                ZoneInfo(zone)
            except (ZoneInfoNotFoundError, ValueError):
                raise ValueError(
                    f"unknown timezone {zone!r}: use a name like Asia/Shanghai"
                ) from None
        stages = self.stage_ids()
        if self.pipelines and len(stages) != sum(len(p.stages) for p in self.pipelines):
            raise ValueError("pipelines: a stage id is used twice; stage ids must be unique")
        unknown = sorted({v for v in self.stages.values() if stages and v not in stages})
        if unknown:
            raise ValueError(
                f"stages: {unknown} are not stage ids of the declared pipelines "
                f"({', '.join(sorted(stages))})"
            )
        if self.pipelines and self.default_pipeline not in {p.id for p in self.pipelines}:
            raise ValueError(f"pipeline_id {self.default_pipeline!r} is not a declared pipeline")
        return self


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
        raise MappingError(
            f"{path} is not a valid mapping (see ingestion/sources/crm_files/README.md): {exc}"
        ) from exc


class Row:
    """One export row with the mapping's parsers, each failure a located `CellError`.

    A field's text is, in order: the file's constant, its column's cell, the file's default,
    then (for files that do not update another) the mapping's default; a value map then
    translates it.
    """

    def __init__(self, mapping: Mapping, spec: FileMapping, number: int, raw: dict) -> None:
        self.mapping, self.spec, self.number, self.raw = mapping, spec, number, raw

    def where(self, name: str) -> tuple[str, int, str]:
        return (self.spec.path, self.number, self.spec.columns.get(name, name))

    def text(self, name: str, required: bool = False) -> str | None:
        value = self.spec.constants.get(name)
        column = self.spec.columns.get(name)
        if value is None and column:
            if column not in self.raw:
                raise CellError(*self.where(name), "column not found in the file")
            value = self.raw[column] or None
        if value is None:
            value = self.spec.defaults.get(name)
        if value is None and not self.spec.updates:
            value = self.mapping.defaults.get(name)
        if value is None:
            if required and not self.spec.updates:
                raise CellError(*self.where(name), "is required")
            return None
        values = {**self.mapping.values.get(name, {}), **self.spec.values.get(name, {})}
        return values.get(value, value)

    def key(self, name: str) -> str:
        value = self.text(name)
        if value is None:
            raise CellError(*self.where(name), "is required")
        return value

    def moment(self, name: str, required: bool = False, column: str | None = None):
        value = self.raw.get(column, "") if column else self.text(name, required)
        if not value:
            return None
        where = (self.spec.path, self.number, column) if column else self.where(name)
        zone = self.spec.timezone or self.mapping.timezone
        return parse_datetime(value, where, self.spec.formats, zone)

    def owner(self) -> str | None:
        name = self.text("owner", required=True)
        if name is None:
            return None
        person = self.mapping.people.get(name)
        if person is None:
            raise CellError(*self.where("owner"), f"{name!r} is not in the mapping's people")
        return person.owner_id

    def amount(self) -> Decimal | None:
        value = self.text("amount")
        if value is None:
            return None
        return parse_decimal(
            value,
            self.where("amount"),
            self.spec.decimal,
            self.spec.thousands,
            currency=self.text("currency"),
        )

    def currency(self) -> str | None:
        value = self.text("currency")
        if value is None:
            return None
        if value.upper() not in self.mapping.currencies:
            raise CellError(*self.where("currency"), f"unknown currency {value!r}")
        return value.upper()

    def stage(self) -> str | None:
        label = self.text("stage", required=True)
        if label is None:
            return None
        if label in self.mapping.stages:
            return self.mapping.stages[label]
        for stage in self.mapping.stage_ids().values():
            if label in (stage.id, stage.label_en, stage.label_zh):
                return stage.id
        raise CellError(
            *self.where("stage"), f"{label!r} is not in the mapping's stages or pipelines"
        )

    def pipeline(self) -> str | None:
        value = self.text("pipeline")
        if value is None:
            return None if self.spec.updates else self.mapping.default_pipeline
        declared = {p.id for p in self.mapping.pipelines}
        if declared and value not in declared:
            raise CellError(*self.where("pipeline"), f"{value!r} is not a declared pipeline")
        return value


def deal(row: Row) -> tuple[dict[str, Any], list[tuple[str, Any]]]:
    """A deal and the stage entries its date columns show."""
    record = {
        "deal_id": row.key("deal_id"),
        "deal_name": row.text("deal_name"),
        "pipeline_id": row.pipeline(),
        "stage_id": row.stage(),
        "owner_id": row.owner(),
        "company_id": row.text("company_id"),
        "amount": row.amount(),
        "amount_currency": row.currency(),
        "lead_source": row.text("lead_source"),
        "loss_reason": row.text("loss_reason"),
        "product_line": row.text("product_line"),
        "created_at": row.moment("created_at", required=True),
        "closed_at": row.moment("closed_at"),
        "updated_at": row.moment("updated_at"),
    }
    changes = [
        (stage_id, row.moment("", column=column))
        for stage_id, column in row.spec.stage_dates.items()
    ]
    return record, [(stage_id, at) for stage_id, at in changes if at is not None]


def activity(row: Row) -> tuple[dict[str, Any], list[tuple[str, Any]]]:
    label = row.text("activity_type", required=True)
    kind = row.mapping.activity_types.get(label, label) if label else None
    if label is not None and kind not in ACTIVITY_TYPES:
        raise CellError(*row.where("activity_type"), f"{label!r} is not a known activity type")
    occurred = row.moment("occurred_at", required=True)
    return {
        "activity_id": row.key("activity_id"),
        "activity_type": kind,
        "owner_id": row.owner(),
        "deal_id": row.text("deal_id"),
        "company_id": row.text("company_id"),
        "occurred_at": occurred,
        "updated_at": row.moment("updated_at"),
    }, []


def company(row: Row) -> tuple[dict[str, Any], list[tuple[str, Any]]]:
    return {
        "company_id": row.key("company_id"),
        "company_name": row.text("company_name"),
        "customer_id": row.text("customer_id"),
        "industry": row.text("industry"),
        "created_at": row.moment("created_at"),
    }, []


CONVERTERS = {"deals": deal, "activities": activity, "companies": company}
