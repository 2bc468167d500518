"""Every label exists in both languages, and every label the app asks for exists."""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
import streamlit as st

from app.i18n import LANGUAGES, catalogue, fmt_compact, fmt_money, fmt_month, fmt_pct

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
