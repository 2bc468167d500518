"""Labels and number formats in the viewer's language (`zh` or `en`).

Every label lives in both catalogues, `zh.toml` and `en.toml`, under the same dotted key; a test
fails when a key is missing from either or when the code asks for a key neither has.
"""

from __future__ import annotations

import tomllib
from datetime import date
from decimal import Decimal
from functools import cache
from pathlib import Path

import streamlit as st
from babel.dates import format_skeleton
from babel.numbers import format_compact_decimal, format_decimal, format_percent

CATALOGUE_DIR = Path(__file__).resolve().parent
LANGUAGES = {"zh": "中文", "en": "English"}
DEFAULT_LANGUAGE = "zh"
_BABEL_LOCALES = {"zh": "zh_CN", "en": "en_US"}


def _flatten(tree: dict, prefix: str = "") -> dict[str, str]:
    flat: dict[str, str] = {}
    for key, value in tree.items():
        name = f"{prefix}{key}"
        if isinstance(value, dict):
            flat.update(_flatten(value, f"{name}."))
        else:
            flat[name] = str(value)
    return flat


@cache
def catalogue(language: str) -> dict[str, str]:
    """The flat `key -> label` map of one language's catalogue."""
    with open(CATALOGUE_DIR / f"{language}.toml", "rb") as handle:
        return _flatten(tomllib.load(handle))


def language() -> str:
    """The language the viewer chose (kept in session state by the sidebar's switch)."""
    for chosen in (st.session_state.get("lang"), st.session_state.get("saved_lang")):
        if chosen in LANGUAGES:
            return chosen
    return DEFAULT_LANGUAGE


def t(key: str, **values: object) -> str:
    """The label for `key` in the viewer's language, with `{placeholders}` filled in."""
    text = catalogue(language())[key]
    return text.format(**values) if values else text


# Codes with a parameter: `tier_band_2`, `spif:services_launch`, `clawback:base_rate`.
_PARAMETERISED = (
    ("tier_band_", "tier_band"),
    ("spif:", "spif"),
    ("clawback:", "clawback"),
    ("adjustment:", "adjustment"),
    ("held:", "held"),
    ("released:", "released"),
)


def value_label(kind: str, value: object) -> str:
    """A data value (a loss reason, lead source, product line, plan rule, incentive kind...) in
    the viewer's language, from the catalogue's `values.<kind>.<value>`; the raw value when the
    catalogue has none, so a new code in the data still shows, untranslated, never blank."""
    if value is None or value != value:
        return ""
    raw = str(value)
    labels = catalogue(language())
    if f"values.{kind}.{raw}" in labels:
        return labels[f"values.{kind}.{raw}"]
    for prefix, name in _PARAMETERISED:
        key = f"values.{kind}.{name}"
        if raw.startswith(prefix) and key in labels:
            rest = raw.removeprefix(prefix)
            return labels[key].format(detail=value_label(kind, rest) if ":" in prefix else rest)
    return raw


def _locale() -> str:
    return _BABEL_LOCALES[language()]


def fmt_number(value: object, digits: int = 0) -> str:
    """A number with the locale's grouping; `-` when missing."""
    if value is None or value != value:  # None or NaN
        return "-"
    pattern = "#,##0" + ("." + "0" * digits if digits else "")
    return format_decimal(Decimal(str(value)), format=pattern, locale=_locale())


def fmt_money(value: object, currency: str | None = None) -> str:
    """An amount to the cent, with its currency code (never converted: amounts are exact)."""
    text = fmt_number(value, 2)
    return f"{text} {currency}" if currency and text != "-" else text


def fmt_compact(value: object) -> str:
    """A large amount at a glance: 123.5万 in Chinese, 1.2M in English."""
    if value is None or value != value:
        return "-"
    return format_compact_decimal(float(value), locale=_locale(), fraction_digits=1)


# From this size on, an amount on a metric card or a chart is shown compact: the exact figure
# (eleven characters and more) no longer fits a card four of which share a row.
COMPACT_FROM = Decimal(1_000_000)


def fmt_money_compact(value: object) -> str:
    """An amount on a card: exact to the cent below a million, above it three significant digits
    or more (31.81M in English, 3180.87万 in Chinese); tables keep the exact amount."""
    if value is None or value != value:
        return "-"
    if abs(Decimal(str(value))) < COMPACT_FROM:
        return fmt_money(value)
    return format_compact_decimal(float(value), locale=_locale(), fraction_digits=2)


def fmt_pct(value: object, digits: int = 1) -> str:
    """A ratio (1.0 = 100%) as a percentage."""
    if value is None or value != value:
        return "-"
    pattern = "#,##0" + ("." + "0" * digits if digits else "") + "%"
    return format_percent(Decimal(str(value)), format=pattern, locale=_locale())


def fmt_month(value: date) -> str:
    """A month as the locale writes it: 2026年2月 / Feb 2026."""
    return format_skeleton("yMMM", value, locale=_locale())
