"""Plan files are validated on load: exact decimals, and errors that name file, plan and field."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from ingestion.sources.commission_plans import PlanFileError, PlanFolder
from ingestion.sources.commission_plans.settings import TABLES

DEMO_PLANS = Path(__file__).resolve().parents[2] / "ingestion" / "demo" / "plans"

VALID_PLAN = """
plan_id: p1
name: Plan one
currency: CNY
versions:
  - version: 1
    effective_from: 2026-01-01
    applies_to: {roles: [rep]}
    base_rates: {default: 0.1, by_product_line: {software: 0.0125}}
"""


def _folder(tmp_path: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        (tmp_path / name).write_text(text)
    return tmp_path


def test_the_demo_plans_are_valid() -> None:
    plans = PlanFolder.read(DEMO_PLANS)
    assert {plan.plan_id for plan in plans.plans.values()} == {"field_sales", "sales_managers"}


def test_rates_are_read_as_exact_decimals(tmp_path: Path) -> None:
    plans = PlanFolder.read(_folder(tmp_path, {"p1.yaml": VALID_PLAN}))
    (version,) = plans.plan_versions()
    # a float would turn 0.1 into 0.1000000000000000055511151231257827...
    assert version["default_rate"] == Decimal("0.1")
    assert isinstance(version["default_rate"], Decimal)
    (rate,) = plans.plan_product_line_rates()
    assert rate["rate"] == Decimal("0.0125")


def test_an_error_names_the_file_the_plan_and_the_field(tmp_path: Path) -> None:
    bad = VALID_PLAN.replace("software: 0.0125", "software: 0.01255")
    folder = _folder(tmp_path, {"p1.yaml": bad})
    with pytest.raises(PlanFileError) as caught:
        PlanFolder.read(folder)
    message = str(caught.value)
    assert f"{folder / 'p1.yaml'}: plan p1: field versions[1].base_rates.by_product_line" in message
    assert "decimal places" in message


def test_a_misspelt_option_is_an_error_not_ignored(tmp_path: Path) -> None:
    bad = VALID_PLAN + "    clawbak: {window_days: 30}\n"
    with pytest.raises(PlanFileError, match=r"plan p1: field versions\[1\]\.clawbak: Extra inputs"):
        PlanFolder.read(_folder(tmp_path, {"p1.yaml": bad}))


def test_versions_take_effect_on_the_first_of_a_month(tmp_path: Path) -> None:
    bad = VALID_PLAN.replace("2026-01-01", "2026-01-15")
    with pytest.raises(PlanFileError, match="first day of a month"):
        PlanFolder.read(_folder(tmp_path, {"p1.yaml": bad}))


def test_tier_bands_must_ascend_from_zero(tmp_path: Path) -> None:
    bad = VALID_PLAN + (
        "    tiers:\n      mode: marginal\n      bands:\n"
        "        - {from_attainment: 0, rate: 0.05}\n        - {from_attainment: 0, rate: 0.08}\n"
    )
    with pytest.raises(PlanFileError, match=r"field versions\[1\]\.tiers: .*strictly ascending"):
        PlanFolder.read(_folder(tmp_path, {"p1.yaml": bad}))


def test_credit_splits_must_sum_to_one_hundred_percent(tmp_path: Path) -> None:
    splits = (
        "credit_splits:\n  - deal_id: D9\n    shares:\n"
        "      - {rep_id: a, share: 0.6}\n      - {rep_id: b, share: 0.3}\n"
    )
    folder = _folder(tmp_path, {"p1.yaml": VALID_PLAN, "credit_splits.yaml": splits})
    # 0.6 + 0.3 = 0.9: 10% of the deal would be credited to nobody
    expected = r"credit splits: field credit_splits\[0\] \(deal D9\): .*sum to 90"
    with pytest.raises(PlanFileError, match=expected):
        PlanFolder.read(folder)


def test_every_bad_file_is_reported_at_once(tmp_path: Path) -> None:
    folder = _folder(
        tmp_path,
        {
            "a.yaml": VALID_PLAN.replace("currency: CNY", "currency: yuan"),
            "b.yaml": VALID_PLAN.replace("p1", "p2").replace("roles: [rep]", "roles: [ceo]"),
        },
    )
    with pytest.raises(PlanFileError) as caught:
        PlanFolder.read(folder)
    message = str(caught.value)
    assert "a.yaml: plan p1: field currency" in message
    assert "b.yaml: plan p2: field versions[1].applies_to.roles[0]" in message


def test_a_plan_id_may_be_defined_once(tmp_path: Path) -> None:
    folder = _folder(tmp_path, {"a.yaml": VALID_PLAN, "b.yaml": VALID_PLAN})
    with pytest.raises(PlanFileError, match="plan p1: also defined in"):
        PlanFolder.read(folder)


def test_a_new_option_is_a_column_of_plan_versions_without_listing_it(tmp_path: Path) -> None:
    # `points_per_extra` is defined only in plan_schema.py; the row and the table follow from it
    plan = (
        VALID_PLAN
        + "    process:\n      visits: {threshold: 20, points: 10, points_per_extra: 1}\n"
    )
    (version,) = PlanFolder.read(_folder(tmp_path, {"p1.yaml": plan})).plan_versions()
    assert version["visits_threshold"] == 20
    assert version["visits_points_per_extra"] == 1
    assert version["trainings_points_per_extra"] is None
    assert TABLES["plan_versions"]["visits_points_per_extra"] == {"data_type": "bigint"}
    assert TABLES["plan_versions"]["draw_monthly_amount"] == {
        "data_type": "decimal",
        "precision": 18,
        "scale": 2,
    }


TIERS = (
    "    tiers:\n      mode: marginal\n      bands:\n"
    "        - {from_attainment: 0, rate: 0.01}\n        - {from_attainment: 1, rate: 0.02}\n"
)


def test_base_rates_and_tiers_stack_only_when_the_plan_says_so(tmp_path: Path) -> None:
    with pytest.raises(PlanFileError, match=r"field versions\[1\]: .*add `stacking: true`"):
        PlanFolder.read(_folder(tmp_path, {"p1.yaml": VALID_PLAN + TIERS}))
    stacked = PlanFolder.read(
        _folder(tmp_path, {"p1.yaml": VALID_PLAN + TIERS + "    stacking: true\n"})
    )
    (version,) = stacked.plan_versions()
    assert version["stacking"] is True
    assert version["default_rate"] == Decimal("0.1")


def test_negative_month_defaults_to_carry_forward_and_takes_only_its_choices(
    tmp_path: Path,
) -> None:
    (version,) = PlanFolder.read(_folder(tmp_path, {"p1.yaml": VALID_PLAN})).plan_versions()
    assert version["negative_month"] == "carry_forward"
    written_off = VALID_PLAN + "    negative_month: write_off\n"
    (version,) = PlanFolder.read(_folder(tmp_path, {"p1.yaml": written_off})).plan_versions()
    assert version["negative_month"] == "write_off"
    with pytest.raises(PlanFileError, match=r"field versions\[1\]\.negative_month: "):
        forgiven = VALID_PLAN + "    negative_month: forgive\n"
        PlanFolder.read(_folder(tmp_path, {"p1.yaml": forgiven}))
