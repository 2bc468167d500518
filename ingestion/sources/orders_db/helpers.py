"""Row rules of the orders database: rows that break them go to `<table>_rejected`."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from decimal import Decimal, InvalidOperation
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc

from ingestion.sources.orders_db.settings import CURSOR_COLUMN
from ingestion.sources.schema import rejection, to_rejected_table

# a rule: (field, reason, bad-row mask of a batch)
Rule = tuple[str, str, Callable[[pa.Table], pa.Array]]


def _missing(field: str) -> Rule:
    return field, "is missing", lambda t: pc.is_null(t[field])


def _not_in(field: str, allowed: frozenset[str]) -> Rule:
    def bad(table: pa.Table) -> pa.Array:
        values = pc.utf8_upper(pc.cast(table[field], pa.string()))
        return pc.invert(pc.fill_null(pc.is_in(values, pa.array(sorted(allowed))), False))

    return field, f"is not one of {', '.join(sorted(allowed))}", bad


def _not_a_number(field: str, positive: bool = False) -> Rule:
    """Null, unreadable as a decimal (text columns), negative, or zero when `positive`.

    Numeric columns (what ConnectorX reads from numeric and integer columns) are checked in
    Arrow; only text columns are parsed value by value.
    """

    def readable(value: Any) -> bool:
        try:
            number = Decimal(str(value))
        except InvalidOperation:
            return False
        return number.is_finite() and (number > 0 if positive else number >= 0)

    def bad(table: pa.Table) -> pa.Array:
        column = table[field]
        kind = column.type
        if pa.types.is_decimal(kind) or pa.types.is_integer(kind) or pa.types.is_floating(kind):
            zero = pa.scalar(0, type=kind)
            good = pc.greater(column, zero) if positive else pc.greater_equal(column, zero)
            if pa.types.is_floating(kind):
                good = pc.and_(good, pc.is_finite(column))
            return pc.invert(pc.fill_null(good, False))
        return pa.array([v is None or not readable(v) for v in column.to_pylist()])

    return field, "is not a positive number" if positive else "is not a number >= 0", bad


def rules(currencies: frozenset[str]) -> dict[str, list[Rule]]:
    return {
        "customers": [_missing("customer_id"), _missing("customer_name")],
        "products": [
            _missing("product_id"),
            _missing("product_line"),
            _not_a_number("list_price"),
            _not_in("currency", currencies),
        ],
        "orders": [
            _missing("order_id"),
            _missing("customer_id"),
            _missing("sales_rep_id"),
            _not_in("currency", currencies),
            _not_in("status", frozenset({"COMPLETED", "CANCELLED"})),
        ],
        "order_lines": [
            _missing("order_line_id"),
            _missing("order_id"),
            _not_a_number("quantity", positive=True),
            _not_a_number("unit_price"),
        ],
        "refunds": [
            _missing("refund_id"),
            _missing("order_id"),
            _not_in("refund_type", frozenset({"REFUND", "CANCELLATION"})),
            _missing("amount"),
        ],
    }


def rejecting(table: str, key: str, table_rules: list[Rule]) -> Callable[[Any], Iterator[Any]]:
    """A yield-map sending rows that break a rule to `<table>_rejected` (first broken rule)."""

    def split(batch: Any) -> Iterator[Any]:
        if not isinstance(batch, pa.Table) or batch.num_rows == 0:
            yield batch
            return
        checked = [
            (field, reason, pc.fill_null(bad(batch), False))
            for field, reason, bad in table_rules
            if field in batch.column_names
        ]
        if not checked:
            yield batch
            return
        any_bad = checked[0][2]
        for _, _, mask in checked[1:]:
            any_bad = pc.or_(any_bad, mask)
        if not pc.any(any_bad).as_py():
            yield batch
            return
        rejected = pc.indices_nonzero(any_bad)
        # the first rule each rejected row breaks, looked up for those rows only
        broken = [
            (field, reason, pc.take(mask, rejected).to_pylist()) for field, reason, mask in checked
        ]
        reasons = [
            next((field, reason) for field, reason, flags in broken if flags[position])
            for position in range(len(rejected))
        ]
        keep = pc.invert(any_bad)
        if pc.any(keep).as_py():
            yield batch.filter(keep)
        rows = batch.take(rejected).to_pylist()
        rejections = [
            {
                key: row.get(key),
                CURSOR_COLUMN: row.get(CURSOR_COLUMN),  # the incremental cursor skips it next
                **rejection(_where(table, row.get(key)), *reason, row),
            }
            for reason, row in zip(reasons, rows, strict=True)
        ]
        # arrow like the good rows: dlt's incremental keeps one kind of boundary state per table
        yield to_rejected_table(
            pa.Table.from_pylist(rejections), table, key, inherited=batch.column_names
        )

    return split


def _where(table: str, key: Any) -> dict[str, str]:
    return {"source_table": table, "source_row": str(key)}
