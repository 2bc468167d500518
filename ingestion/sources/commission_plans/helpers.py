"""Read plan files exactly (numbers as `Decimal`), validate them, and flatten them into rows."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from ingestion.sources.commission_plans.plan_schema import CreditSplits, Plan, PlanVersion
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


def _describe(path: Path, document: Any, error: ValidationError) -> list[str]:
    name = document.get("plan_id", "?") if isinstance(document, dict) else "?"
    label = f"plan {name}" if path.name != CREDIT_SPLITS_FILE else "credit splits"
    return [
        f"{path}: {label}: field {_field_path(tuple(item['loc']), document)}: {item['msg']}"
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
        """One row per plan version with its scalar options (null when the option is absent)."""
        for path, plan, v in self._versions():
            process, growth = v.process, v.growth
            yield {
                "plan_id": plan.plan_id,
                "plan_version": v.version,
                "plan_name": plan.name,
                "plan_currency": plan.currency,
                "effective_from": v.effective_from,
                "source_file": path.name,
                "default_rate": v.base_rates.default if v.base_rates else None,
                "tier_mode": v.tiers.mode if v.tiers else None,
                "accelerator_above_attainment": _get(v.accelerator, "above_attainment"),
                "accelerator_multiplier": _get(v.accelerator, "multiplier"),
                "decelerator_below_attainment": _get(v.decelerator, "below_attainment"),
                "decelerator_multiplier": _get(v.decelerator, "multiplier"),
                "target_incentive_amount": v.target_incentive_amount,
                "cap_amount": _get(v.cap, "amount"),
                "cap_target_incentive_multiple": _get(v.cap, "target_incentive_multiple"),
                "override_rate": _get(v.manager_override, "rate"),
                "clawback_window_days": _get(v.clawback, "window_days"),
                "draw_monthly_amount": _get(v.draw, "monthly_amount"),
                "visits_threshold": _get(process and process.visits, "threshold"),
                "visits_points": _get(process and process.visits, "points"),
                "conversion_bonus_amount": _get(process and process.conversion_bonus, "amount"),
                "trainings_threshold": _get(growth and growth.trainings, "threshold"),
                "trainings_points": _get(growth and growth.trainings, "points"),
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


def _get(option: object | None, field: str) -> Decimal | int | None:
    return getattr(option, field) if option else None


def _key(plan: Plan, version: PlanVersion) -> dict[str, str | int]:
    return {"plan_id": plan.plan_id, "plan_version": version.version}
