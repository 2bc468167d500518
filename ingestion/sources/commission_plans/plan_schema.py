"""The commission plan file schema: what finance may write in a plan YAML, checked on load.

A plan file holds one plan and its effective-dated versions; each version is complete (not a
delta of the previous one). `docs/incentives.md` documents every field with examples. Amounts and
rates are `Decimal` (the YAML loader never makes floats), and their scale is bounded so every
product of a basis and a rate is exact before the one rounding step.

This is the one place a plan option is defined: `option_columns()` derives the columns of
`raw_plans.plan_versions` (name, type and where the value sits in a version) from these models,
the load writes them, and dbt staging passes every column it finds on to the models.
"""

from __future__ import annotations

import datetime as dt
import types
from dataclasses import dataclass, fields, replace
from decimal import Decimal
from typing import Annotated, Any, Literal, Union, get_args, get_origin

from pydantic import BaseModel, ConfigDict, Field, model_validator


@dataclass(frozen=True)
class Stored:
    """How a scalar option is stored in `raw_plans.plan_versions`: its SQL type (dlt's name),
    and its column name where the default `<option>_<field>` would read badly. Later metadata
    wins field by field, so a field may rename a type that already says how it is stored."""

    data_type: str | None = None
    precision: int | None = None
    scale: int | None = None
    name: str | None = None

    def hint(self) -> dict[str, Any]:
        """dlt's column hint: the type, with precision and scale for decimals."""
        kept = ("data_type", "precision", "scale")
        return {key: getattr(self, key) for key in kept if getattr(self, key) is not None}


# A rate or attainment ratio with at most 4 decimals (0.0125 = 1.25%); multipliers with at most 2,
# so a rate times a multiplier has at most 6 decimals: the scale of `rate` in the commission lines.
# Multipliers are stored at the rates' scale: the models multiply them with rates.
Rate = Annotated[Decimal, Field(ge=0, le=10, decimal_places=4), Stored("decimal", 9, 4)]
Multiplier = Annotated[Decimal, Field(ge=0, le=10, decimal_places=2), Stored("decimal", 9, 4)]
Money = Annotated[Decimal, Field(ge=0, max_digits=18, decimal_places=2), Stored("decimal", 18, 2)]
Share = Annotated[Decimal, Field(gt=0, le=1, decimal_places=4)]
Identifier = Annotated[str, Field(min_length=1, max_length=100, pattern=r"^[A-Za-z0-9_.:-]+$")]


class _Strict(BaseModel):
    """Unknown keys are errors: a misspelt option must not silently do nothing."""

    model_config = ConfigDict(extra="forbid", frozen=True)


class AppliesTo(_Strict):
    """Who the version pays: reps whose role, team or id is listed (any match applies)."""

    roles: list[Literal["rep", "manager"]] = []
    teams: list[Identifier] = []
    reps: list[Identifier] = []

    @model_validator(mode="after")
    def _not_empty(self) -> AppliesTo:
        if not (self.roles or self.teams or self.reps):
            raise ValueError("list at least one role, team or rep")
        return self


class BaseRates(_Strict):
    """Commission on credited net revenue: a default rate and optional per-product-line rates."""

    default: Annotated[Rate, Stored(name="default_rate")]
    by_product_line: dict[Identifier, Rate] = {}


class TierBand(_Strict):
    from_attainment: Rate
    rate: Rate


class Tiers(_Strict):
    """Rates by attainment band: `marginal` pays each band's slice at its rate, `retroactive`
    pays all revenue at the rate of the highest band reached."""

    mode: Annotated[Literal["marginal", "retroactive"], Stored(name="tier_mode")]
    bands: list[TierBand] = Field(min_length=1)

    @model_validator(mode="after")
    def _bands_ascend_from_zero(self) -> Tiers:
        starts = [band.from_attainment for band in self.bands]
        if starts[0] != 0:
            raise ValueError("the first band must start at from_attainment 0")
        if any(later <= earlier for earlier, later in zip(starts, starts[1:], strict=False)):
            raise ValueError("bands must have strictly ascending from_attainment")
        return self


class Accelerator(_Strict):
    """Base-rate commission on revenue above `above_attainment` x target is multiplied."""

    above_attainment: Rate
    multiplier: Multiplier = Field(gt=1)


class Decelerator(_Strict):
    """Below `below_attainment`, the whole period's base-rate commission is multiplied."""

    below_attainment: Rate
    multiplier: Multiplier = Field(lt=1)


class Cap(_Strict):
    """Most revenue commission a rep earns in a period: an amount or a multiple of the
    (prorated) target incentive."""

    amount: Money | None = None
    target_incentive_multiple: Multiplier | None = None

    @model_validator(mode="after")
    def _exactly_one(self) -> Cap:
        if (self.amount is None) == (self.target_incentive_multiple is None):
            raise ValueError("give exactly one of amount or target_incentive_multiple")
        return self


class ManagerOverride(_Strict):
    rate: Annotated[Rate, Stored(name="override_rate")]


class Clawback(_Strict):
    """A refund or cancellation within `window_days` of the order date reverses the commission
    paid on the refunded part. A plan version without `clawback` claws nothing back."""

    window_days: int = Field(ge=0, le=3660)


class Draw(_Strict):
    """A guaranteed minimum per period, advanced when earnings fall short and recovered from
    later earnings above it."""

    monthly_amount: Money


# What a month whose lines add up to less than zero (a clawback with no sales) does, when the
# plan has no draw (a draw tops every short month up to its guarantee, negative ones included):
# `carry_forward` pays 0 and recovers the negative balance from later positive months,
# `write_off` pays 0 and forgets it, `pay_negative` pays the negative amount (the rep owes it).
NegativeMonth = Literal["carry_forward", "write_off", "pay_negative"]


class CountThreshold(_Strict):
    """A month's count (visits, trainings) reaching `threshold` earns `points`; with
    `points_per_extra`, each one above the threshold earns that many more (threshold 20, 10
    points, 1 per extra: 25 visits earn 10 + 5 x 1 = 15)."""

    threshold: int = Field(ge=1)
    points: int = Field(ge=1)
    points_per_extra: int | None = Field(default=None, ge=1)


class ConversionBonus(_Strict):
    amount: Money


class Process(_Strict):
    visits: CountThreshold | None = None
    conversion_bonus: ConversionBonus | None = None


class Growth(_Strict):
    trainings: CountThreshold | None = None


class Spif(_Strict):
    """A one-off bonus per credited order line of a product line ordered within the dates."""

    spif_id: Identifier
    product_line: Identifier
    starts_on: dt.date
    ends_on: dt.date
    amount_per_order_line: Money

    @model_validator(mode="after")
    def _dates_ordered(self) -> Spif:
        if self.ends_on < self.starts_on:
            raise ValueError("ends_on is before starts_on")
        return self


# The fields of a version that key its row rather than being options of it.
VERSION_KEY_FIELDS = ("version", "effective_from")


class PlanVersion(_Strict):
    version: int = Field(ge=1)
    effective_from: dt.date
    applies_to: AppliesTo
    base_rates: BaseRates | None = None
    tiers: Tiers | None = None
    # base_rates and tiers both pay on the same revenue (their lines add up): a version giving
    # both must say so with `stacking: true`, so that nobody reads the tiers as replacing the rate
    stacking: bool = False
    accelerator: Accelerator | None = None
    decelerator: Decelerator | None = None
    target_incentive_amount: Money | None = None
    cap: Cap | None = None
    manager_override: ManagerOverride | None = None
    clawback: Clawback | None = None
    draw: Draw | None = None
    negative_month: NegativeMonth = "carry_forward"
    # The currency the rep is paid in (payroll, statements), when not the reporting currency:
    # each rep-period's net payout is converted at the rate of the month's last day
    # (`fct_payout_payments`, docs/incentives.md "Payroll and accruals"). Stored as
    # `payment_currency`: `payout_currency` in the marts is the reporting currency of the lines.
    payout_currency: Annotated[
        str | None, Field(pattern=r"^[A-Z]{3}$"), Stored(name="payment_currency")
    ] = None
    process: Process | None = None
    growth: Growth | None = None
    spifs: list[Spif] = []

    @model_validator(mode="after")
    def _consistent(self) -> PlanVersion:
        if self.effective_from.day != 1:
            raise ValueError("effective_from must be the first day of a month (periods are months)")
        if self.base_rates and self.tiers and not self.stacking:
            raise ValueError(
                "base_rates and tiers both pay on the same revenue (they stack): add"
                " `stacking: true` to say so, or remove one of them"
            )
        if (self.accelerator or self.decelerator) and self.base_rates is None:
            raise ValueError("an accelerator or decelerator needs base_rates to act on")
        if self.cap and self.cap.target_incentive_multiple and not self.target_incentive_amount:
            raise ValueError("a cap as a target_incentive_multiple needs target_incentive_amount")
        spif_ids = [spif.spif_id for spif in self.spifs]
        if len(spif_ids) != len(set(spif_ids)):
            raise ValueError("spif_id values must be unique within a version")
        return self


class Plan(_Strict):
    plan_id: Identifier
    name: str = Field(min_length=1)
    currency: str = Field(pattern=r"^[A-Z]{3}$")
    versions: list[PlanVersion] = Field(min_length=1)

    @model_validator(mode="after")
    def _versions_ordered(self) -> Plan:
        numbers = [version.version for version in self.versions]
        if numbers != list(range(1, len(numbers) + 1)):
            raise ValueError("versions must be numbered 1, 2, 3... in order")
        dates = [version.effective_from for version in self.versions]
        if any(later <= earlier for earlier, later in zip(dates, dates[1:], strict=False)):
            raise ValueError("each version must take effect after the previous one")
        return self


class SplitShare(_Strict):
    rep_id: Identifier
    share: Share


class DealSplit(_Strict):
    """Co-owners of a deal and their share of its credited revenue; shares sum to exactly 1."""

    deal_id: Identifier
    shares: list[SplitShare] = Field(min_length=1)

    @model_validator(mode="after")
    def _shares_sum_to_one(self) -> DealSplit:
        total = sum((share.share for share in self.shares), Decimal(0))
        if total != 1:
            raise ValueError(f"shares must sum to 100% but sum to {total * 100:f}%")
        reps = [share.rep_id for share in self.shares]
        if len(reps) != len(set(reps)):
            raise ValueError("a rep may appear only once per deal")
        return self


class CreditSplits(_Strict):
    credit_splits: list[DealSplit]

    @model_validator(mode="after")
    def _one_split_per_deal(self) -> CreditSplits:
        deals = [split.deal_id for split in self.credit_splits]
        duplicated = sorted({deal for deal in deals if deals.count(deal) > 1})
        if duplicated:
            raise ValueError(f"deals listed more than once: {', '.join(duplicated)}")
        return self


@dataclass(frozen=True)
class OptionColumn:
    """A scalar plan option as a column of `plan_versions`, and the fields leading to its value."""

    name: str
    path: tuple[str, ...]
    stored: Stored

    def value(self, version: PlanVersion) -> Any:
        """The option's value in `version`, None when the version does not use the option."""
        node: Any = version
        for field in self.path:
            node = getattr(node, field, None)
        return node


_TYPES_BY_PYTHON = {int: "bigint", str: "text", bool: "bool", dt.date: "date"}


def stored_as(annotation: Any, metadata: list[Any] | None = None) -> Stored:
    """How a value of `annotation` (a type such as `Rate`, or a field's) is stored."""
    annotation, metadata = _unwrap(annotation, metadata or [])
    stored = Stored()
    for item in metadata:
        if isinstance(item, Stored):
            overrides = {f.name: getattr(item, f.name) for f in fields(Stored)}
            stored = replace(stored, **{k: v for k, v in overrides.items() if v is not None})
    if stored.data_type is None:
        python_type = str if get_origin(annotation) is Literal else annotation
        if python_type not in _TYPES_BY_PYTHON:
            raise TypeError(f"say how {annotation} is stored: annotate it with Stored(...)")
        stored = replace(stored, data_type=_TYPES_BY_PYTHON[python_type])
    return stored


def _unwrap(annotation: Any, metadata: list[Any]) -> tuple[Any, list[Any]]:
    """The type under `X | None` and `Annotated[X, ...]`, and all metadata, the field's last."""
    if get_origin(annotation) in (Union, types.UnionType):
        (annotation,) = [arg for arg in get_args(annotation) if arg is not type(None)]
    if get_origin(annotation) is Annotated:
        annotation, *extra = get_args(annotation)
        return annotation, [*extra, *metadata]
    return annotation, metadata


def option_columns(
    model: type[BaseModel] = PlanVersion, path: tuple[str, ...] = ()
) -> list[OptionColumn]:
    """Every scalar option of a plan version, in the schema's order. A field of an option group
    is named `<group>_<field>` (`visits_threshold`), a version's own field by its name, unless
    `Stored(name=...)` says otherwise. Lists and maps (who it applies to, rates by product line,
    tier bands, SPIFs) are tables of their own; the version's number and date are its key."""
    columns: list[OptionColumn] = []
    for name, field in model.model_fields.items():
        if model is PlanVersion and name in VERSION_KEY_FIELDS:
            continue
        annotation, metadata = _unwrap(field.annotation, field.metadata)
        if get_origin(annotation) in (list, dict):
            continue
        if isinstance(annotation, type) and issubclass(annotation, BaseModel):
            columns.extend(option_columns(annotation, (*path, name)))
            continue
        stored = stored_as(annotation, metadata)
        column_name = stored.name or "_".join((*path[-1:], name))
        columns.append(OptionColumn(column_name, (*path, name), stored))
    return columns
