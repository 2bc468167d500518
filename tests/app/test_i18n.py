"""Every label exists in both languages, and every label the app asks for exists."""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
import streamlit as st

from app.i18n import (
    LANGUAGES,
    catalogue,
    fmt_compact,
    fmt_money,
    fmt_money_compact,
    fmt_month,
    fmt_pct,
    value_label,
)

APP_DIR = Path(__file__).resolve().parents[2] / "app"
# Keys the code builds from a value (t(f"metric.{metric}")): every value it can take.
DYNAMIC_KEYS = {
    "grain": ["month", "quarter", "year"],
    "metric": ["revenue", "new_customers", "visits", "deals_won"],
    "scope": ["company", "region", "team", "rep"],
    "roles": ["finance", "manager", "rep"],
    "origin": ["given", "rolled_up", "decomposed", "aggregated"],
    "tier": ["high", "medium", "low"],
    "commissions.status": ["open", "closed"],
    "team.col": ["visits", "calls", "meetings"],
    "filters": ["team", "rep", "pipeline", "source"],
    "help": ["team", "rep", "pipeline", "source"],
    "status": ["on_pace", "slightly_behind", "behind"],
    "gap": ["short_by", "ahead_by", "on_target"],
}


def _keys_in_code() -> set[str]:
    keys = set()
    for path in APP_DIR.rglob("*.py"):
        text = path.read_text(encoding="utf-8")
        keys |= set(re.findall(r'\bt\(\s*"([a-z0-9_.]+)"', text))
        keys |= set(re.findall(r'"(help\.[a-z_]+)"', text))
    for prefix, values in DYNAMIC_KEYS.items():
        keys |= {f"{prefix}.{value}" for value in values}
    return keys


def test_both_catalogues_have_the_same_keys() -> None:
    english, chinese = set(catalogue("en")), set(catalogue("zh"))
    assert sorted(english - chinese) == [], "in en.toml but missing from zh.toml"
    assert sorted(chinese - english) == [], "in zh.toml but missing from en.toml"


@pytest.mark.parametrize("language", sorted(LANGUAGES))
def test_every_key_the_app_uses_is_in_the_catalogue(language: str) -> None:
    missing = sorted(_keys_in_code() - set(catalogue(language)))
    assert missing == [], f"missing from {language}.toml"


def test_placeholders_match_between_languages() -> None:
    english, chinese = catalogue("en"), catalogue("zh")
    for key, text in english.items():
        assert set(re.findall(r"{(\w+)}", text)) == set(re.findall(r"{(\w+)}", chinese[key])), key


@pytest.mark.parametrize(
    ("language", "money", "pct", "compact", "month"),
    [
        ("zh", "1,234,567.50 CNY", "85.3%", "123.5万", "2026年2月"),
        ("en", "1,234,567.50 CNY", "85.3%", "1.2M", "Feb 2026"),
    ],
)
def test_numbers_follow_the_locale(
    language: str, money: str, pct: str, compact: str, month: str
) -> None:
    st.session_state["lang"] = language
    try:
        assert fmt_money(Decimal("1234567.5"), "CNY") == money
        assert fmt_pct(Decimal("0.8534")) == pct
        assert fmt_compact(Decimal("1234567")) == compact
        assert fmt_month(date(2026, 2, 1)) == month
    finally:
        del st.session_state["lang"]


@pytest.mark.parametrize(
    ("language", "large", "negative", "small"),
    [
        ("zh", "3180.87万", "-250万", "987,654.32"),
        ("en", "31.81M", "-2.5M", "987,654.32"),
    ],
)
def test_cards_show_large_amounts_compact_and_small_ones_exact(
    language: str, large: str, negative: str, small: str
) -> None:
    st.session_state["lang"] = language
    try:
        assert fmt_money_compact(Decimal("31808737.42")) == large
        assert fmt_money_compact(Decimal("-2500000.00")) == negative
        assert fmt_money_compact(Decimal("987654.32")) == small  # below a million: to the cent
        assert fmt_money_compact(None) == "-"
    finally:
        del st.session_state["lang"]


# Data values the app shows, by the catalogue kind they are labelled with: the marts' column.
SHOWN_VALUES = {
    "loss_reason": "select distinct loss_reason from marts.fct_deals",
    "lead_source": "select distinct lead_source from marts.fct_deals",
    "product_line": "select distinct product_line from marts.dim_products",
    "rule": "select distinct rule from marts.fct_commission_lines",
    "incentive": "select distinct reason from marts.fct_incentive_points",
}


def _demo_values() -> dict[str, set[str]]:
    """The values the demo company generates (its rules come from the same plan options)."""
    from ingestion.demo.company import LEAD_SOURCES, LOSS_REASONS, PRODUCT_LINES

    return {
        "loss_reason": set(LOSS_REASONS[0]),
        "lead_source": set(LEAD_SOURCES[0]),
        "product_line": set(PRODUCT_LINES),
    }


def _has_zh_label(kind: str, value: str) -> bool:
    st.session_state["lang"] = "zh"
    try:
        label = value_label(kind, value)
    finally:
        del st.session_state["lang"]
    # a SPIF is named by the plan file's own id (`spif:services_launch`): shown as written
    code = re.sub(r"spif:[\w-]+", "spif", value)
    label = re.sub(r"专项激励 [\w-]+", "专项激励", label)
    return label != code and not re.search(r"[a-z]{3,}_[a-z]", label)


def test_every_data_value_shown_in_chinese_has_a_label(require_marts, query) -> None:
    require_marts("fct_deals", "dim_products", "fct_commission_lines", "fct_incentive_points")
    unlabelled = []
    for kind, sql in SHOWN_VALUES.items():
        values = {row[0] for row in query(sql) if row[0]} | _demo_values().get(kind, set())
        unlabelled += [(kind, v) for v in sorted(values) if not _has_zh_label(kind, v)]
    assert unlabelled == []


def test_an_unknown_code_falls_back_to_itself_and_parameters_are_kept() -> None:
    st.session_state["lang"] = "zh"
    try:
        assert value_label("lead_source", "carrier_pigeon") == "carrier_pigeon"
        assert value_label("rule", "tier_band_2") == "阶梯档 2"
        assert value_label("rule", "clawback:base_rate") == "追回：基础提成"
        assert value_label("rule", "spif:services_launch") == "专项激励 services_launch"
        assert value_label("rule", "held:base_rate") == "暂扣：基础提成"
        st.session_state["lang"] = "en"
        assert value_label("rule", "clawback:base_rate") == "Clawback: Base rate"
        assert value_label("rule", "released:tier_band_2") == "Released: Tier band 2"
        assert value_label("lead_source", "trade_show") == "Trade show"
        assert value_label("lead_source", "carrier_pigeon") == "carrier_pigeon"
    finally:
        del st.session_state["lang"]
