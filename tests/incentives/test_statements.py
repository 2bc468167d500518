"""Rule sentences from a plan's own parameters, and a PDF whose text holds them (no database).

The tier figures are the worked example of docs/incentives.md: target 100,000.00, bands 0% at
5%, 100% at 8%, 150% at 12%, marginal; at 160% attainment the month pays
100,000 x 5% + 50,000 x 8% + 10,000 x 12% = 5,000.00 + 4,000.00 + 1,200.00 = 10,200.00.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

import pytest
from pypdf import PdfReader

from orchestration.exports.rule_sentences import PlanTerms, RuleLine, percent, sentence
from orchestration.exports.statement_html import write_statement_html
from orchestration.exports.statement_pdf import write_statement_pdf
from orchestration.exports.statements import Statement, with_sentences

BANDS = PlanTerms(tier_mode="marginal", band_starts=(Decimal("0"), Decimal("1"), Decimal("1.5")))


def _line(rule: str, rate: str, basis: str, amount: str) -> dict:
    return {
        "source_type": "rep_period" if rule == "draw" else "order_line",
        "source_id": "L100",
        "source_date": dt.date(2026, 3, 31),
        "plan_id": "field_sales",
        "plan_version": 2,
        "rule": rule,
        "rate": Decimal(rate),
        "basis_amount": Decimal(basis),
        "amount": Decimal(amount),
        "adjusts_period_start": None,
    }


def worked_example(lang: str) -> Statement:
    lines = [
        _line("tier_band_1", "0.050000", "100000.00", "5000.00"),
        _line("tier_band_2", "0.080000", "50000.00", "4000.00"),
        _line("tier_band_3", "0.120000", "10000.00", "1200.00"),
    ]
    payout = {
        "status": "open",
        "plan_id": "field_sales",
        "plan_version": 2,
        "payout_currency": "CNY",
        "commission": Decimal("10200.00"),
        "net": Decimal("10200.00"),
        "payment_currency": "CNY",
    }
    terms = {("field_sales", 2): BANDS}
    return Statement(
        "201", "王小明", "2026-03", payout, "Field sales", with_sentences(lines, terms, lang)
    )


def test_percentages_are_exact() -> None:
    assert percent(Decimal("0.080000")) == "8%"
    assert percent(Decimal("0.0125")) == "1.25%"
    assert percent(Decimal("1.5000")) == "150%"


@pytest.mark.parametrize(
    ("rule", "rate", "en", "zh"),
    [
        (
            "tier_band_2",
            "0.080000",
            "8% on the part of the month's revenue between 100% and 150% of target",
            "超出目标 100%–150% 部分的当月收入按 8% 计提",
        ),
        (
            "tier_band_1",
            "0.050000",
            "5% on the part of the month's revenue between 0% and 100% of target",
            "目标 0%–100% 部分的当月收入按 5% 计提",
        ),
        (
            "tier_band_3",
            "0.120000",
            "12% on the part of the month's revenue above 150% of target",
            "超出目标 150% 部分的当月收入按 12% 计提",
        ),
        (
            "clawback:tier_band_2",
            "-0.080000",
            "Refund or cancellation: reverses, on the refunded part, what was paid as: 8% on the"
            " part of the month's revenue between 100% and 150% of target",
            "退款或取消：追回已退款部分按原规则计提的提成"
            "（超出目标 100%–150% 部分的当月收入按 8% 计提）",
        ),
    ],
)
def test_tier_sentences_quote_the_plans_bands(rule: str, rate: str, en: str, zh: str) -> None:
    line = RuleLine(rule, Decimal(rate), Decimal("50000.00"))
    assert sentence(line, BANDS, "en") == en
    assert sentence(line, BANDS, "zh") == zh


def test_other_rules_in_words() -> None:
    terms = PlanTerms(
        tier_mode="retroactive",
        band_starts=(Decimal("0"), Decimal("1")),
        accelerator_above=Decimal("1.0000"),
        accelerator_multiplier=Decimal("1.5000"),
        cap_limit_amount=Decimal("24000.00"),
    )
    basis = Decimal("1000.00")
    # a 3% base rate x (1.5 - 1) = 1.5% extra above 100% of target
    assert sentence(RuleLine("accelerator", Decimal("0.015000"), basis), terms, "en") == (
        "An extra 1.5% on the part of the month's revenue above 100% of target (base rate x 1.5)"
    )
    assert sentence(RuleLine("tier_band_2", Decimal("0.080000"), basis), terms, "en") == (
        "8% on all of the month's revenue: the rate of the band from 100% of target, which the"
        " month reached"
    )
    assert sentence(RuleLine("cap", Decimal("-1"), basis), terms, "zh") == (
        "超出当月封顶 24,000.00 的提成不予发放"
    )
    corrected = RuleLine("adjustment:base_rate", Decimal("1"), basis, dt.date(2026, 1, 1))
    assert sentence(corrected, terms, "en") == (
        "Correction to closed 2026-01: the difference owed on its base rate"
    )
    assert sentence(RuleLine("new_rule", Decimal("0.5"), basis), terms, "en") == (
        "Rule new_rule: 1,000.00 x 50%"
    )


def test_the_pdf_text_holds_the_rule_sentences_and_the_total(tmp_path: Path) -> None:
    path = tmp_path / "statement.pdf"
    write_statement_pdf(path, worked_example("en"), "en")
    text = " ".join(" ".join(p.extract_text() for p in PdfReader(path).pages).split())
    assert "王小明" in text and "Field sales (field_sales), version 2" in text
    assert "8% on the part of the month's revenue between 100% and 150% of target" in text
    assert "12% on the part of the month's revenue above 150% of target" in text
    assert "Net payout 10,200.00 CNY" in text
    assert "No disputes for this period." in text

    write_statement_pdf(path, worked_example("zh"), "zh")
    text = "".join("".join(p.extract_text() for p in PdfReader(path).pages).split())
    assert "超出目标100%–150%部分的当月收入按8%计提" in text
    assert "应发合计10,200.00CNY" in text


def test_the_html_names_the_rep_and_lists_disputes(tmp_path: Path) -> None:
    statement = worked_example("en")
    statement.disputes = [
        {
            "deal_id": "D-77",
            "commission_line_id": None,
            "reason": "missing deal",
            "status": "open",
            "resolution_reason": None,
            "adjustment_amount": None,
        }
    ]
    path = tmp_path / "statement.html"
    write_statement_html(path, statement, "en")
    page = path.read_text(encoding="utf-8")
    assert "<html lang='en'>" in page and "王小明 (201)" in page
    assert "<td>D-77</td><td>missing deal</td><td>open</td>" in page
    assert "10,200.00 CNY" in page
