"""The accrual journal of an open month, as a CSV a ledger imports.

The journal itself is the dbt mart `fct_commission_accruals` (contracted, tested to balance);
this module refuses a closed month (it is paid by the payroll, not accrued) and writes the rows
with their totals checked once more, so a file that does not balance is never written.
"""

from __future__ import annotations

import csv
from decimal import Decimal
from pathlib import Path
from typing import Any

from orchestration.exports.warehouse import fetch, is_closed, month_start

COLUMNS = (
    "entry_date",
    "entry_type",
    "ledger_account",
    "team_id",
    "team_name",
    "payment_currency",
    "debit_amount",
    "credit_amount",
    "amount_currency",
    "period",
)
JOURNAL = f"""
    select {", ".join(column for column in COLUMNS if column != "period")}
    from marts.fct_commission_accruals
    where period_start = %s
    order by entry_date, entry_type, team_id nulls last, payment_currency,
        ledger_account desc
"""


class PeriodClosedError(ValueError):
    """An accrual was asked for a closed month."""


def accrual_rows(url: str, period: str) -> list[dict[str, Any]]:
    """The open month's journal lines; PeriodClosedError for a closed month; ValueError when
    an entry does not balance (the mart's test should have stopped the build first)."""
    period_start = month_start(period)
    if is_closed(url, period_start):
        raise PeriodClosedError(
            f"{period} is closed: it is paid, not accrued (make payroll PERIOD={period});"
            " accrue the open month after it"
        )
    rows = [{**row, "period": period} for row in fetch(url, JOURNAL, (period_start,))]
    for entry_type in {row["entry_type"] for row in rows}:
        debit, credit = balance(row for row in rows if row["entry_type"] == entry_type)
        if debit != credit:
            raise ValueError(f"the {entry_type} of {period} does not balance: {debit} != {credit}")
    return rows


def balance(rows: Any) -> tuple[Decimal, Decimal]:
    """Total debits and credits of journal lines."""
    debit = credit = Decimal("0.00")
    for row in rows:
        debit += row["debit_amount"]
        credit += row["credit_amount"]
    return debit, credit


def export_accruals(url: str, period: str, out: Path) -> tuple[Path, list[dict[str, Any]]]:
    """Write the journal CSV of an open month (UTF-8 with a BOM, as the payroll); its path, rows."""
    rows = accrual_rows(url, period)
    out.mkdir(parents=True, exist_ok=True)
    path = out / f"accruals_{period}.csv"
    with path.open("w", newline="", encoding="utf-8-sig") as handle:
        writer = csv.writer(handle)
        writer.writerow(COLUMNS)
        writer.writerows([("" if row[c] is None else row[c]) for c in COLUMNS] for row in rows)
    return path, rows
