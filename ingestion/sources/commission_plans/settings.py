"""The tables the plans source loads, their keys and column types (money and rates exact)."""

from dlt.common.schema.typing import TColumnSchema

CREDIT_SPLITS_FILE = "credit_splits.yaml"

_RATE: TColumnSchema = {"data_type": "decimal", "precision": 9, "scale": 4}
_MONEY: TColumnSchema = {"data_type": "decimal", "precision": 18, "scale": 2}
_INT: TColumnSchema = {"data_type": "bigint"}
_TEXT: TColumnSchema = {"data_type": "text"}
_VERSION_KEY: dict[str, TColumnSchema] = {
    "plan_id": {"data_type": "text", "nullable": False},
    "plan_version": {"data_type": "bigint", "nullable": False},
}

# Every table is declared in full, so it exists (empty) even when no plan uses the option.
TABLES: dict[str, dict[str, TColumnSchema]] = {
    "plan_versions": {
        **_VERSION_KEY,
        "plan_name": _TEXT,
        "plan_currency": _TEXT,
        "effective_from": {"data_type": "date"},
        "source_file": _TEXT,
        "default_rate": _RATE,
        "tier_mode": _TEXT,
        "accelerator_above_attainment": _RATE,
        "accelerator_multiplier": _RATE,
        "decelerator_below_attainment": _RATE,
        "decelerator_multiplier": _RATE,
        "target_incentive_amount": _MONEY,
        "cap_amount": _MONEY,
        "cap_target_incentive_multiple": _RATE,
        "override_rate": _RATE,
        "clawback_window_days": _INT,
        "draw_monthly_amount": _MONEY,
        "visits_threshold": _INT,
        "visits_points": _INT,
        "conversion_bonus_amount": _MONEY,
        "trainings_threshold": _INT,
        "trainings_points": _INT,
    },
    "plan_applicability": {**_VERSION_KEY, "selector_type": _TEXT, "selector_value": _TEXT},
    "plan_product_line_rates": {**_VERSION_KEY, "product_line": _TEXT, "rate": _RATE},
    "plan_tier_bands": {
        **_VERSION_KEY,
        "band_number": _INT,
        "from_attainment": _RATE,
        "rate": _RATE,
    },
    "plan_spifs": {
        **_VERSION_KEY,
        "spif_id": _TEXT,
        "product_line": _TEXT,
        "starts_on": {"data_type": "date"},
        "ends_on": {"data_type": "date"},
        "amount_per_order_line": _MONEY,
    },
    "credit_splits": {
        "deal_id": {"data_type": "text", "nullable": False},
        "rep_id": {"data_type": "text", "nullable": False},
        "credit_share": _RATE,
        "source_file": _TEXT,
    },
}
