"""Read plan files exactly (numbers as `Decimal`), validate them, and flatten them into rows."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from ingestion.sources.commission_plans.plan_schema import (
    CreditSplits,
    Plan,
    PlanVersion,
    option_columns,
)
from ingestion.sources.commission_plans.settings import CREDIT_SPLITS_FILE


class PlanFileError(ValueError):
    """One or more plan files are invalid; the message names each file, plan and field."""


class _DecimalLoader(yaml.SafeLoader):
    """YAML's floats become `Decimal` from their written text: 0.1 stays exactly 0.1."""


def _decimal(loader: yaml.SafeLoader, node: yaml.Node) -> Decimal:
    return Decimal(str(loader.construct_scalar(node)).replace("_", ""))


_DecimalLoader.add_constructor("tag:yaml.org,2002:float", _decimal)


def _field_path(location: tuple[int | str, ...], document: Any) -> str:
    """`versions[1].tiers.bands[0].rate`, written with the version number where one is known."""
    parts: list[str] = []
    node = document
    for key in location:
        if isinstance(key, int):
            label = key
            if isinstance(node, list) and key < len(node) and isinstance(node[key], dict):
                label = node[key].get("version", key) if parts[-1:] == ["versions"] else key
            parts[-1] = f"{parts[-1]}[{label}]" if parts else f"[{label}]"
        else:
            parts.append(str(key))
        try:
            node = node[key]
        except (KeyError, IndexError, TypeError):
            node = None
    return ".".join(parts) or "(whole file)"


def _deal_named(location: tuple[int | str, ...], document: Any) -> str:
    """` (deal D9)` when the error is in a split of the split register: finance looks a split up
    by its deal, not by its position in the list."""
    if len(location) < 2 or location[0] != "credit_splits" or not isinstance(location[1], int):
        return ""
    splits = document.get("credit_splits") if isinstance(document, dict) else None
    if not isinstance(splits, list) or location[1] >= len(splits):
        return ""
    split = splits[location[1]]
    deal = split.get("deal_id") if isinstance(split, dict) else None
    return f" (deal {deal})" if deal is not None else ""


def _describe(path: Path, document: Any, error: ValidationError) -> list[str]:
    name = document.get("plan_id", "?") if isinstance(document, dict) else "?"
    label = f"plan {name}" if path.name != CREDIT_SPLITS_FILE else "credit splits"
    return [
        f"{path}: {label}: field {_field_path(tuple(item['loc']), document)}"
        f"{_deal_named(tuple(item['loc']), document)}: {item['msg']}"
        for item in error.errors()
    ]


@dataclass(frozen=True)
class PlanFolder:
    """Every plan in a folder, and the credit splits file beside them, validated together."""

    plans: dict[Path, Plan]
    splits: CreditSplits | None
    splits_path: Path | None

    @classmethod
    def read(cls, folder: Path) -> PlanFolder:
        if not folder.is_dir():
            raise PlanFileError(f"{folder}: the plans folder does not exist")
        problems: list[str] = []
        plans: dict[Path, Plan] = {}
        splits: CreditSplits | None = None
        files = sorted([*folder.glob("*.yaml"), *folder.glob("*.yml")])
        for path in files:
            try:
                document = yaml.load(path.read_text(encoding="utf-8"), Loader=_DecimalLoader)
            except yaml.YAMLError as exc:
                problems.append(f"{path}: not valid YAML: {exc}")
                continue
            model = CreditSplits if path.name == CREDIT_SPLITS_FILE else Plan
            try:
                parsed = model.model_validate(document)
            except ValidationError as exc:
                problems.extend(_describe(path, document, exc))
                continue
            if isinstance(parsed, CreditSplits):
                splits = parsed
            else:
                plans[path] = parsed
        seen: dict[str, Path] = {}
        for path, plan in plans.items():
            if plan.plan_id in seen:
                other = seen[plan.plan_id]
                problems.append(f"{path}: plan {plan.plan_id}: also defined in {other}")
            seen[plan.plan_id] = path
        if not plans and not problems:
            problems.append(f"{folder}: no plan files (*.yaml)")
        if problems:
            raise PlanFileError("invalid commission plans:\n  " + "\n  ".join(problems))
        splits_path = folder / CREDIT_SPLITS_FILE if splits else None
        return cls(plans=plans, splits=splits, splits_path=splits_path)

    def _versions(self) -> Iterator[tuple[Path, Plan, PlanVersion]]:
        for path, plan in self.plans.items():
            for version in plan.versions:
                yield path, plan, version

    def plan_versions(self) -> Iterator[dict[str, Any]]:
        """One row per plan version: its key, then every option the schema defines
        (`option_columns()`), null when the version does not use the option."""
        options = option_columns()
        for path, plan, v in self._versions():
            yield {
                "plan_id": plan.plan_id,
                "plan_version": v.version,
                "plan_name": plan.name,
                "plan_currency": plan.currency,
                "effective_from": v.effective_from,
                "source_file": path.name,
                **{option.name: option.value(v) for option in options},
            }

    def plan_applicability(self) -> Iterator[dict[str, Any]]:
        """One row per role, team or rep a version applies to."""
        for _, plan, v in self._versions():
            selectors = (("role", v.applies_to.roles), ("team", v.applies_to.teams))
            for selector, values in (*selectors, ("rep", v.applies_to.reps)):
                for value in values:
                    yield {**_key(plan, v), "selector_type": selector, "selector_value": value}

    def plan_product_line_rates(self) -> Iterator[dict[str, Any]]:
        for _, plan, v in self._versions():
            rates = v.base_rates.by_product_line if v.base_rates else {}
            for product_line, rate in rates.items():
                yield {**_key(plan, v), "product_line": product_line, "rate": rate}

    def plan_tier_bands(self) -> Iterator[dict[str, Any]]:
        for _, plan, v in self._versions():
            for number, band in enumerate(v.tiers.bands if v.tiers else [], start=1):
                yield {
                    **_key(plan, v),
                    "band_number": number,
                    "from_attainment": band.from_attainment,
                    "rate": band.rate,
                }

    def plan_spifs(self) -> Iterator[dict[str, Any]]:
        for _, plan, v in self._versions():
            for spif in v.spifs:
                yield {**_key(plan, v), **spif.model_dump()}

    def credit_splits(self) -> Iterator[dict[str, Any]]:
        if self.splits is None or self.splits_path is None:
            return
        for split in self.splits.credit_splits:
            for share in split.shares:
                yield {
                    "deal_id": split.deal_id,
                    "rep_id": share.rep_id,
                    "credit_share": share.share,
                    "source_file": self.splits_path.name,
                }


def _key(plan: Plan, version: PlanVersion) -> dict[str, str | int]:
    return {"plan_id": plan.plan_id, "plan_version": version.version}
