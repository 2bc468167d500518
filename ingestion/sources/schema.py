"""Schema rules every source shares."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import dlt

# New columns evolve the raw schema; a column whose type changes stops the load with an error
# naming the table and column (dlt's DataValidationError) instead of creating variant columns.
SCHEMA_CONTRACT: dict[str, str] = {"tables": "evolve", "columns": "evolve", "data_type": "freeze"}


def typed_columns(
    columns: dict[str, str], newest_by: str | None = None
) -> dict[str, dict[str, str]]:
    """dlt column hints from `{column: data type}`.

    `newest_by`: the resource's cursor column. A record sent twice in one load (changed while
    the source was being paged, so met again further on, or repeated where a search restarts
    from its last timestamp) keeps its newest copy, by that column: dlt's merge keeps an
    arbitrary one of a key's rows otherwise, on PostgreSQL whichever its sort puts first, which
    could leave the older copy in the raw table, and the next run, starting past it, would not
    fetch the record again."""
    hints = {name: {"data_type": kind} for name, kind in columns.items()}
    if newest_by is not None:
        hints[newest_by] = {**hints.get(newest_by, {}), "dedup_sort": "desc"}
    return hints


def materialize_once() -> Iterator[Any]:
    """Create the resource's table on its first load even if it has no rows yet, so the models
    reading it never meet a missing relation. Yield from it inside a resource."""
    state = dlt.current.resource_state()
    if not state.get("materialized"):
        state["materialized"] = True
        yield dlt.mark.materialize_table_schema()


# ISO 4217 codes accepted where a source names a currency; anything else is rejected.
KNOWN_CURRENCIES = frozenset(
    "AED AUD BRL CAD CHF CNY CZK DKK EUR GBP HKD HUF IDR ILS INR JPY KRW MOP MXN MYR NOK NZD PHP "  # noqa: SIM905
    "PLN RUB SAR SEK SGD THB TRY TWD USD VND ZAR".split()
)


def broken_money_rule(
    row: dict[str, Any], currency_field: str, amount_field: str
) -> tuple[str, str] | None:
    """The (field, reason) a record's money breaks, if any: a currency code we do not know, or
    an amount that is no exact number (a JSON number read as Decimal, or an int)."""
    currency = row.get(currency_field)
    if currency not in (None, "") and str(currency).upper() not in KNOWN_CURRENCIES:
        return currency_field, f"unknown currency {currency!r}"
    amount = row.get(amount_field)
    if amount is not None and not isinstance(amount, (int, Decimal)):
        return amount_field, f"{amount!r} is not a number"
    return None


def rejection(location: dict[str, Any], field: str, reason: str, raw: dict[str, Any]) -> dict:
    """A `<table>_rejected` row: where the bad value was (`source_table` or `source_file`, and
    `source_row`), the field, why, and the raw record as JSON."""
    return {
        **location,
        "field": field,
        "reason": reason,
        "raw_record": json.dumps(raw, ensure_ascii=False, default=str),
        "rejected_at": datetime.now(UTC),
    }


REJECTED_COLUMNS = {
    "source_table": "text",
    "source_row": "text",
    "field": "text",
    "reason": "text",
    "raw_record": "text",
    "rejected_at": "timestamp",
}


def to_rejected_table(rows: Any, table: str, key: str, inherited: list[str] = ()) -> Any:
    """Send rejection rows to `<table>_rejected` (appended: a key may be the missing value).

    The rejected table is a variant of the source table, so it inherits the source's column
    hints (`inherited`): they are made nullable, as a rejected row keeps its values only in
    `raw_record`.
    """
    columns = {name: {"name": name, "nullable": True} for name in inherited}
    columns.update(typed_columns({key: "text", **REJECTED_COLUMNS}))
    hints = dlt.mark.make_hints(
        table_name=f"{table}_rejected",
        write_disposition="append",
        primary_key=(),
        columns=columns,
    )
    return dlt.mark.with_hints(rows, hints, create_table_variant=True)


def split_by_contract(
    rows: list[dict[str, Any]],
    broken_rule: Callable[[dict[str, Any]], tuple[str, str] | None],
    table: str,
    source_table: str,
    key: str,
    cursor: str,
) -> Iterator[Any]:
    """The rows that keep the contract (`broken_rule` gives None), then the others for
    `<table>_rejected` with the (field, reason) it gives, and their cursor value, so the
    incremental cursor passes them on the next run too."""
    good, rejected = [], []
    for row in rows:
        broken = broken_rule(row)
        if broken is None:
            good.append(row)
        else:
            location = {"source_table": source_table, "source_row": row[key]}
            rejected.append(
                {key: row[key], cursor: row[cursor], **rejection(location, *broken, row)}
            )
    if good:
        yield good
    if rejected:
        yield to_rejected_table(rejected, table, key)
