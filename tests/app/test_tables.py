"""Finance's tables: subtotal and total rows summed exactly (hand-worked amounts)."""

from __future__ import annotations

from decimal import Decimal

import pandas as pd

from app.tables import with_subtotals


def test_subtotals_per_team_and_a_total_per_month_and_currency() -> None:
    frame = pd.DataFrame(
        {
            "rep": ["Bob", "Carol", "Alice", "Dan"],
            "month": ["2026-02", "2026-02", "2026-02", "2026-02"],
            "currency": ["CNY", "CNY", "CNY", "USD"],
            "team": ["East B", "East A", "East A", "South A"],
            "net": [Decimal("4800.10"), Decimal("0.05"), Decimal("188.00"), Decimal("10.00")],
        }
    )
    table = with_subtotals(frame, ["month", "currency", "team"], ["net"], "rep", ("Sub", "Total"))
    assert table[["rep", "currency", "team", "net"]].values.tolist() == [
        ["Carol", "CNY", "East A", Decimal("0.05")],
        ["Alice", "CNY", "East A", Decimal("188.00")],
        ["Sub", "CNY", "East A", Decimal("188.05")],
        ["Bob", "CNY", "East B", Decimal("4800.10")],
        ["Sub", "CNY", "East B", Decimal("4800.10")],
        ["Total", "CNY", "", Decimal("4988.15")],  # 188.05 + 4800.10, never mixed with USD
        ["Dan", "USD", "South A", Decimal("10.00")],
        ["Sub", "USD", "South A", Decimal("10.00")],
        ["Total", "USD", "", Decimal("10.00")],
    ]
    assert set(table["month"]) == {"2026-02"}
    assert all(isinstance(value, Decimal) for value in table["net"])
