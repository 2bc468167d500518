"""Tables finance reads: money as numbers (exact Decimals, sortable, right-aligned, to the cent),
the full height of their rows instead of a ten-row scroll box, and subtotal and total rows."""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd
import streamlit as st

# Thousands grouped, two decimals: the cell shows the mart's exact amount to the cent.
MONEY_FORMAT = "%,.2f"


def money_column(help_text: str | None = None) -> st.column_config.NumberColumn:
    """A money column: a number (sorts as one, aligns right) shown to the cent."""
    return st.column_config.NumberColumn(help=help_text, format=MONEY_FORMAT)


def with_subtotals(
    frame: pd.DataFrame,
    groups: Sequence[str],
    amounts: Sequence[str],
    label_column: str,
    labels: tuple[str, str],
) -> pd.DataFrame:
    """`frame` sorted by `groups`, with a subtotal row after each group of all `groups` (e.g.
    month, currency, team) and a total row after each group of all but the last (month,
    currency): `amounts` summed exactly (Decimal + Decimal), `label_column` reading `labels[0]`
    or `labels[1]`, the group's own columns kept and the others left blank."""
    outer, inner = list(groups[:-1]), groups[-1]
    blocks = frame.groupby(outer, sort=True, dropna=False) if outer else [((), frame)]
    pieces = []
    for _, block in blocks:
        for _, rows in block.groupby(inner, sort=True, dropna=False):
            pieces += [rows, _sum_row(rows, [*outer, inner], amounts, label_column, labels[0])]
        pieces.append(_sum_row(block, outer, amounts, label_column, labels[1]))
    return pd.concat(pieces, ignore_index=True) if pieces else frame


def _sum_row(
    rows: pd.DataFrame, keep: Sequence[str], amounts: Sequence[str], label_column: str, label: str
) -> pd.DataFrame:
    row: dict[str, object] = dict.fromkeys(rows.columns, "")
    row.update({column: rows[column].iloc[0] for column in keep})
    row.update({column: sum(rows[column].dropna(), start=0) for column in amounts})
    row[label_column] = label
    return pd.DataFrame([row], columns=rows.columns)
