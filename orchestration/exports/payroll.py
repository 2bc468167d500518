"""The payroll file of a closed month: one row per rep and payout currency.

Only a closed month is paid: its figures are frozen, so the file can be produced again and
match to the cent. The CSV is UTF-8 with a byte-order mark, because Excel, where payroll teams
open it, reads a BOM-less UTF-8 file in the machine's code page and garbles Chinese names; amounts
are plain decimals with a dot and two places (exactly as stored, never through float). The XLSX
holds amounts as numbers with a currency format, so they sum in a spreadsheet.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Font

from orchestration.exports.warehouse import fetch, is_closed, month_start, rep_names

COLUMNS = ("employee_id", "name", "amount", "currency", "period")

# Reps owed 0.00 (points only) are left out: a payroll line pays money.
PAYMENTS = """
    select rep_id, payment_currency, sum(payment_amount) as amount
    from marts.fct_payout_payments
    where period_start = %s and status = 'closed'
    group by rep_id, payment_currency
    having sum(payment_amount) != 0
    order by rep_id, payment_currency
"""


class PeriodNotClosedError(ValueError):
    """A payroll was asked for a month still open."""


@dataclass(frozen=True)
class PayrollRow:
    employee_id: str
    name: str
    amount: Decimal
    currency: str
    period: str

    def cells(self) -> tuple[str, str, Decimal, str, str]:
        return (self.employee_id, self.name, self.amount, self.currency, self.period)


def payroll_rows(url: str, period: str) -> list[PayrollRow]:
    """The closed month's payments; PeriodNotClosedError naming the close command otherwise."""
    period_start = month_start(period)
    if not is_closed(url, period_start):
        raise PeriodNotClosedError(
            f"{period} is not closed, and only a closed month is paid: review it, then"
            f" make close-period PERIOD={period} (its accruals: make accrual PERIOD={period})"
        )
    payments = fetch(url, PAYMENTS, (period_start,))
    names = rep_names(url, sorted({row["rep_id"] for row in payments}))
    return [
        PayrollRow(
            row["rep_id"], names[row["rep_id"]], row["amount"], row["payment_currency"], period
        )
        for row in payments
    ]


def write_payroll_csv(path: Path, rows: list[PayrollRow]) -> None:
    with path.open("w", newline="", encoding="utf-8-sig") as handle:
        writer = csv.writer(handle)
        writer.writerow(COLUMNS)
        writer.writerows(row.cells() for row in rows)


def write_payroll_xlsx(path: Path, rows: list[PayrollRow]) -> None:
    """Amounts as numbers (Decimal, written exactly) formatted with the row's currency code."""
    book = Workbook()
    sheet = book.active
    sheet.title = f"payroll {rows[0].period}" if rows else "payroll"
    sheet.append(COLUMNS)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in rows:
        sheet.append(row.cells())
        sheet.cell(row=sheet.max_row, column=3).number_format = f'#,##0.00 "{row.currency}"'
    for letter, width in zip("ABCDE", (14, 24, 16, 10, 10), strict=True):
        sheet.column_dimensions[letter].width = width
    book.save(path)


def export_payroll(url: str, period: str, fmt: str, out: Path) -> tuple[Path, list[PayrollRow]]:
    """Write the payroll file of a closed month; its path and rows."""
    rows = payroll_rows(url, period)
    out.mkdir(parents=True, exist_ok=True)
    path = out / f"payroll_{period}.{fmt}"
    (write_payroll_xlsx if fmt == "xlsx" else write_payroll_csv)(path, rows)
    return path, rows
