"""Payroll, accruals and statements on the tiny company, with January closed and February open.

Plans (tests/incentives/plans): reps 3% (software 4%) with a 2,000.00 draw, paid in CNY;
managers 2% with a 0.5% override on their teams, paid in USD (`payout_currency: USD`).
FX: 1 USD = 7.1000 CNY every day of January, 7.2000 in February (tests/fixtures/README.md).
"""

from __future__ import annotations

import csv
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

import pytest
from openpyxl import load_workbook
from pypdf import PdfReader
from test_period_close import (  # noqa: F401 (module fixtures shared with the close tests)
    _build_incentive_marts,
    _load_sources,
    monkeypatch_module,
    tiny_warehouse,
)

from orchestration.exports.accruals import PeriodClosedError, balance, export_accruals
from orchestration.exports.payroll import PeriodNotClosedError, export_payroll
from orchestration.incentives import export_statement, main


@pytest.fixture(scope="module")
def closed_january(request: pytest.FixtureRequest) -> str:
    """The tiny company's incentive marts built and January closed; February and March open."""
    from orchestration.incentives import close_period

    url, _ = request.getfixturevalue(tiny_warehouse.__name__)
    assert close_period("2026-01") == 0
    return url


def pdf_text(path: Path) -> str:
    """The PDF's text with line breaks and runs of spaces made single spaces."""
    return " ".join(" ".join(page.extract_text() for page in PdfReader(path).pages).split())


def test_the_payroll_of_closed_january_by_hand(closed_january: str, tmp_path: Path) -> None:
    path, _ = export_payroll(closed_january, "2026-01", "csv", tmp_path)
    assert path.read_bytes().startswith(b"\xef\xbb\xbf")  # the BOM Excel needs for UTF-8
    with path.open(encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.reader(handle))
    assert rows == [
        ["employee_id", "name", "amount", "currency", "period"],
        # 101 (manager, paid in USD): 230.00 + 18.00 + 15.00 - 15.00 = 248.00 CNY
        # / 7.1 (31 January) = 34.9295... -> 34.93 USD
        ["101", "Alice Wang", "34.93", "USD", "2026-01"],
        # 102: 108.00 + a 1,892.00 draw; 103: 90.00 - 90.00 + a 2,000.00 draw (CNY)
        ["102", "Bob Li", "2000.00", "CNY", "2026-01"],
        ["103", "Carol Zhang", "2000.00", "CNY", "2026-01"],
    ]


def test_the_payroll_xlsx_holds_amounts_as_numbers(closed_january: str, tmp_path: Path) -> None:
    path, _ = export_payroll(closed_january, "2026-01", "xlsx", tmp_path)
    sheet = load_workbook(path).active
    rows = [tuple(cell.value for cell in row) for row in sheet.iter_rows(min_row=2)]
    assert rows == [
        ("101", "Alice Wang", 34.93, "USD", "2026-01"),
        ("102", "Bob Li", 2000, "CNY", "2026-01"),
        ("103", "Carol Zhang", 2000, "CNY", "2026-01"),
    ]
    assert sheet["C2"].number_format == '#,##0.00 "USD"'
    assert sheet["C3"].number_format == '#,##0.00 "CNY"'


def test_an_open_month_has_no_payroll_and_a_closed_one_no_accrual(
    closed_january: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(PeriodNotClosedError, match=r"make close-period PERIOD=2026-02"):
        export_payroll(closed_january, "2026-02", "csv", tmp_path)
    with pytest.raises(PeriodClosedError, match=r"make payroll PERIOD=2026-01"):
        export_accruals(closed_january, "2026-01", tmp_path)
    assert main(["payroll", "2026-02", "--out", str(tmp_path)]) == 1
    assert "2026-02 is not closed" in capsys.readouterr().err
    assert not list(tmp_path.iterdir())  # nothing written


def test_the_february_accrual_balances_and_its_reversal_nets_to_zero(
    closed_january: str, tmp_path: Path
) -> None:
    path, rows = export_accruals(closed_january, "2026-02", tmp_path)
    expense = {
        (row["team_id"], row["payment_currency"]): row["debit_amount"]
        for row in rows
        if row["entry_type"] == "accrual" and row["ledger_account"] == "commission_expense"
    }
    assert expense == {
        # 102: 576.00 + 54.00 + 174.00 (L013 5,800 x 3%) = 804.00, drawn up to 2,000.00
        ("11", "CNY"): Decimal("2000.00"),
        # 101 overrides 0.5% of teams 11 and 12: (24,000 + 3,000 + 5,800 + 4,800) = 188.00
        ("11", "USD"): Decimal("188.00"),
        # 103 (team 12 from 1 February): 384.00 + 36.00 + 144.00, drawn up to 2,000.00
        ("12", "CNY"): Decimal("2000.00"),
        # 105 hired 15 February: the prorated draw 2,000 x 14/28
        ("21", "CNY"): Decimal("1000.00"),
        # 104: L009 + L010 = 30,000.00 x 2%
        ("21", "USD"): Decimal("600.00"),
    }
    accrual = [row for row in rows if row["entry_type"] == "accrual"]
    reversal = [row for row in rows if row["entry_type"] == "reversal"]
    assert balance(accrual) == (Decimal("5788.00"), Decimal("5788.00"))
    assert balance(reversal) == (Decimal("5788.00"), Decimal("5788.00"))
    assert {str(row["entry_date"]) for row in accrual} == {"2026-02-28"}
    assert {str(row["entry_date"]) for row in reversal} == {"2026-03-01"}
    for account in ("commission_expense", "accrued_commissions"):
        debit, credit = balance(row for row in rows if row["ledger_account"] == account)
        assert debit - credit == 0  # the reversal undoes the accrual, account by account
    with path.open(encoding="utf-8-sig", newline="") as handle:
        assert len(list(csv.DictReader(handle))) == len(rows) == 20


def test_a_statement_pdf_in_english_reads_like_the_plan(
    closed_january: str, tmp_path: Path
) -> None:
    path = export_statement(closed_january, "102", "2026-01", "pdf", tmp_path, "en")
    text = pdf_text(path)
    assert "Bob Li" in text
    assert "Tiny company reps (tiny_reps), version 1" in text
    # L003: 3 x 1,200.00 hardware at the default 3%
    assert "3% of the line's credited revenue" in text
    assert "order line L003" in text and "2026-01-20" in text and "108.00" in text
    assert "Draw: tops the month up to the guarantee of 2,000.00" in text
    assert "1,892.00" in text
    assert "Net payout 2,000.00 CNY" in text
    assert "closed (final)" in text


def test_a_statement_in_chinese_and_a_payout_in_usd(closed_january: str, tmp_path: Path) -> None:
    text = "".join(
        pdf_text(export_statement(closed_january, "102", "2026-01", "pdf", tmp_path, "zh")).split()
    )
    assert "提成结算单" in text and "该订单行计入收入按3%计提" in text
    assert "预支：补足当月保底2,000.00" in text and "应发合计2,000.00CNY" in text
    page = export_statement(closed_january, "101", "2026-01", "html", tmp_path, "en")
    html = page.read_text(encoding="utf-8")
    assert "Alice Wang (101)" in html
    assert "0.5% override on your team&#x27;s credited revenue on the line" in html
    assert "34.93 USD (at 7.1 CNY/USD, 2026-01-31)" in html


def test_a_corrected_rate_changes_open_months_only(closed_january: str, tmp_path: Path) -> None:
    """Finance corrects the FX history after January closed: 31 January becomes 7.0000 and
    28 February 7.5000. January's payroll keeps what the close froze (248.00 CNY / 7.1 = 34.93
    USD), February's open payment converts at the corrected rate. Runs last in this module: it
    changes the rates the others read."""
    import psycopg2

    with psycopg2.connect(closed_january) as conn, conn.cursor() as cur:
        cur.execute(
            "update raw_finance.fx_rates set fx_rate = case rate_date"
            " when '2026-01-31' then 7.0 else 7.5 end"
            " where from_currency = 'USD' and rate_date in ('2026-01-31', '2026-02-28')"
        )
        assert cur.rowcount == 2
    _build_incentive_marts(closed_january, "+path:models/marts/incentives dim_reps")
    path, _ = export_payroll(closed_january, "2026-01", "csv", tmp_path)
    with path.open(encoding="utf-8-sig", newline="") as handle:
        assert ["101", "Alice Wang", "34.93", "USD", "2026-01"] in list(csv.reader(handle))
    with psycopg2.connect(closed_january) as conn, conn.cursor() as cur:
        cur.execute(
            "select to_char(period_start, 'YYYY-MM'), status, payment_fx_rate,"
            " payment_fx_rate_date, net_payout_amount, payment_amount"
            " from marts.fct_payout_payments where rep_id = '101' order by period_start"
        )
        january, february = cur.fetchall()[:2]
    assert january[:4] == ("2026-01", "closed", Decimal("7.10000000"), date(2026, 1, 31))
    assert february[:4] == ("2026-02", "open", Decimal("7.50000000"), date(2026, 2, 28))
    # February: the net payout in CNY / 7.5, rounded half away from zero to the cent
    assert february[5] == (february[4] / Decimal("7.5")).quantize(Decimal("0.01"), ROUND_HALF_UP)
