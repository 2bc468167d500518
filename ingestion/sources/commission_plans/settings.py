"""The tables the plans source loads, their keys and column types (money and rates exact).

A plan version's options are not listed here: `plan_versions` gets one column per option the plan
schema defines (`plan_schema.option_columns()`), typed as the schema stores it.
"""

from typing import cast

from dlt.common.schema.typing import TColumnSchema

from ingestion.sources.commission_plans.plan_schema import Money, Rate, option_columns, stored_as

CREDIT_SPLITS_FILE = "credit_splits.yaml"

_RATE = cast(TColumnSchema, stored_as(Rate).hint())
_MONEY = cast(TColumnSchema, stored_as(Money).hint())
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
        **{option.name: cast(TColumnSchema, option.stored.hint()) for option in option_columns()},
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
