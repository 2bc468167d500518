"""Reading people's spreadsheets: CSV (any encoding, delimiter) and XLSX, cell by cell as text,
with parsers that name the file, row and field of anything they cannot read.

Row numbers are the spreadsheet's: the header is row 1, the first record row 2.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import logging
import unicodedata
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import dlt
from dlt.sources import DltResource
from openpyxl import load_workbook

from ingestion.sources.schema import SCHEMA_CONTRACT, materialize_once, typed_columns


# Not frozen: raising an exception sets its `__traceback__`, which a frozen dataclass refuses
# (the load then failed with "cannot assign to field '__traceback__'" instead of this message).
@dataclass(eq=False)
class CellError(ValueError):
    """A value that breaks the file's contract, located so a person can fix it."""

    file: str
    row: int
    field: str
    reason: str

    def __str__(self) -> str:
        return f"{self.file}, row {self.row}, field {self.field!r}: {self.reason}"


# where a row's values beyond the header's named columns go (a shifted row, an unquoted delimiter)
BEYOND_HEADER = "(beyond the header)"


def read_rows(
    path: Path,
    encoding: str = "utf-8-sig",
    delimiter: str = ",",
    sheet: str | None = None,
    header_row: int = 1,
) -> list[tuple[int, dict[str, str]]]:
    """Every record of a CSV or XLSX file as (its spreadsheet row, `{header: text}`); empty
    cells are "", blank rows are skipped but keep their numbers. The header is on `header_row`
    (rows above it, such as an export's title and date lines, are not records). Non-empty values
    in no named column are kept under `BEYOND_HEADER` for the caller to refuse (see
    `refuse_beyond_header`), and a header naming a column twice stops the read: either way a
    value would be lost."""
    if path.suffix.lower() in (".xlsx", ".xlsm"):
        workbook = load_workbook(path, read_only=True, data_only=True)
        worksheet = workbook[sheet] if sheet else workbook.worksheets[0]
        rows = [
            ["" if v is None else _cell_text(v) for v in r]
            for r in worksheet.iter_rows(values_only=True)
        ]
        workbook.close()
    else:
        raw = path.read_bytes()
        try:
            text = raw.decode(encoding)
        except UnicodeDecodeError as exc:
            row, column = _locate(raw[: exc.start], encoding, delimiter)
            raise CellError(
                path.name, row, column, f"not readable as {encoding}: {exc.reason}"
            ) from exc
        rows = list(csv.reader(io.StringIO(text), delimiter=delimiter))
    if len(rows) < header_row:
        return []
    header = [h.strip().lstrip("\ufeff") for h in rows[header_row - 1]]
    named = [h for h in header if h]
    twice = next((h for i, h in enumerate(named) if h in named[:i]), None)
    if twice:
        raise CellError(path.name, header_row, twice, "is in the header twice: rename one of them")
    records = []
    for number, row in enumerate(rows[header_row:], start=header_row + 1):
        cells = [c.strip() for c in row]
        if not any(cells):
            continue
        record = dict.fromkeys(named, "")
        stray = []
        for position, cell in enumerate(cells):
            if position < len(header) and header[position]:
                record[header[position]] = cell
            elif cell:
                stray.append(cell)
        if stray:
            record[BEYOND_HEADER] = " | ".join(stray)
        records.append((number, record))
    return records


def refuse_beyond_header(file: str, number: int, record: dict[str, str]) -> None:
    """Stop at a row holding values in no named column: which column they belong to cannot be
    guessed (often a delimiter inside an unquoted cell shifted the row)."""
    if BEYOND_HEADER in record:
        raise CellError(
            file,
            number,
            BEYOND_HEADER,
            f"{record[BEYOND_HEADER]!r} in no named column: quote cells holding the delimiter, "
            "or name the column in the header",
        )


def _locate(before: bytes, encoding: str, delimiter: str) -> tuple[int, str]:
    """The row and column (by header name, when the header reads) of the first bad byte."""
    lines = before.split(b"\n")
    row = len(lines)
    header = next(csv.reader([lines[0].decode(encoding, "replace")], delimiter=delimiter), [])
    column = lines[-1].count(delimiter.encode())
    name = header[column].strip().lstrip("\ufeff") if row > 1 and column < len(header) else "*"
    return row, name


def _cell_text(value: Any) -> str:
    if isinstance(value, datetime):
        return value.isoformat(sep=" ")
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def digest(path: Path) -> str:
    """The content's fingerprint; for a workbook its cell values, so saving it again unchanged
    (which rewrites the file's timestamps) is no change."""
    if path.suffix.lower() in (".xlsx", ".xlsm"):
        workbook = load_workbook(path, read_only=True, data_only=True)
        cells = repr([list(ws.iter_rows(values_only=True)) for ws in workbook.worksheets])
        workbook.close()
        return hashlib.sha256(cells.encode()).hexdigest()
    return hashlib.sha256(path.read_bytes()).hexdigest()


def changed_files(paths: list[Path], root: Path) -> set[str]:
    """The files (relative to `root`) whose content differs from the last successful load.

    The digests live in the resource's dlt state, which is saved only with a successful load.
    """
    seen: dict[str, str] = dlt.current.resource_state().setdefault("file_digests", {})
    changed = set()
    for path in paths:
        key, value = str(path.relative_to(root)), digest(path)
        if seen.get(key) != value:
            changed.add(key)
            seen[key] = value
    return changed


# values that differ on every read of the same content (when a row was rejected or counted)
VOLATILE = frozenset({"rejected_at", "loaded_at"})


def changed_rows(rows: list[dict[str, Any]], key: list[str]) -> list[dict[str, Any]]:
    """The rows whose key is new or whose values differ from the last successful load.

    Files carry no trustworthy "changed since" column (a historic export loaded after a newer
    one has only older dates), so each row is known by its key and a digest of its values,
    kept in the resource's dlt state: a re-read file loads exactly its new and changed rows.
    """
    state = dlt.current.resource_state()
    seen: dict[str, str] = state.get("row_digests", {})
    current: dict[str, str] = {}
    fresh = []
    for row in rows:
        name = json.dumps([row.get(k) for k in key], default=str, ensure_ascii=False)
        values = {k: v for k, v in row.items() if k not in VOLATILE}
        value = hashlib.sha256(
            json.dumps(values, sort_keys=True, default=str).encode()
        ).hexdigest()[:16]
        current[name] = value
        if seen.get(name) != value:
            fresh.append(row)
    # the rows are the whole table as the folder holds it now: keys no file holds any more are
    # forgotten (their loaded rows stay; one coming back loads again), so the state stays small
    state["row_digests"] = current
    return fresh


@dataclass
class FolderTable:
    """One table read from a folder: its rows and the files (mapping included) it depends on."""

    root: Path
    files: list[Path]
    rows: list[dict[str, Any]] = field(default_factory=list)


def folder_table_resource(
    name: str,
    primary_key: str | list[str],
    columns: dict[str, str],
    read: Callable[[], FolderTable],
) -> DltResource:
    """A merged resource loading a folder table's new and changed rows when a file changed.

    Nothing loads when no file changed. Its table is created on the first load even when
    empty (e.g. no rejected rows yet), so models reading it never meet a missing relation;
    `data_type` changes stop the load.
    """
    key = [primary_key] if isinstance(primary_key, str) else list(primary_key)

    @dlt.resource(
        name=name,
        primary_key=primary_key,
        write_disposition="merge",
        schema_contract=SCHEMA_CONTRACT,
        columns=typed_columns(columns),
    )
    def rows() -> Iterator[Any]:
        table = read()
        yield from materialize_once()
        if not changed_files(table.files, table.root):
            return
        fresh = changed_rows(table.rows, key)
        if fresh:
            yield fresh

    return rows


# Currency signs people's exports put beside amounts (Excel's "Save as CSV" keeps the cell's
# format). Only the ones that name one currency are checked against the row's currency: `$` and
# `¥` are shared by several.
CURRENCY_SIGNS = {
    "$": None, "¥": None, "€": "EUR", "£": "GBP", "₩": "KRW", "₹": "INR", "元": "CNY",
    "US$": "USD", "HK$": "HKD", "S$": "SGD", "A$": "AUD", "C$": "CAD", "RMB": "CNY",
}  # fmt: skip
_SIGNS_LONGEST_FIRST = sorted(CURRENCY_SIGNS, key=len, reverse=True)


def _strip_sign(text: str) -> tuple[str, str | None]:
    """The text without a leading or trailing currency sign, and the sign."""
    for sign in _SIGNS_LONGEST_FIRST:
        for stripped in (text.removeprefix(sign), text.removesuffix(sign)):
            if stripped != text:
                return stripped.strip(), sign
    return text, None


def parse_decimal(
    text: str,
    where: tuple[str, int, str],
    decimal_mark: str = ".",
    thousands: str = "",
    currency: str | None = None,
) -> Decimal:
    """An exact decimal from text as people's exports write it: `1,234.50` or `1.234,50` (per
    the file's marks), full-width digits (`３０，０００`), spaces of any kind as separators
    (`1 234,50` with a no-break space), a currency sign (`¥30,000.00`, `€12`, `30000元`),
    accounting negatives `(1,234.50)` and a trailing minus `1,234.50-`. A sign naming one
    currency must agree with the row's `currency` when one is given."""
    cleaned = unicodedata.normalize("NFKC", text).replace("\u2212", "-").strip()  # − minus sign
    negative = cleaned.startswith("(") and cleaned.endswith(")")
    if negative:
        cleaned = cleaned[1:-1].strip()
    if cleaned[:1] in ("-", "+"):  # a sign before the currency sign: -¥88
        negative, cleaned = cleaned[0] == "-", cleaned[1:].strip()
    cleaned, sign = _strip_sign(cleaned)
    if cleaned.endswith("-") and not negative:
        negative, cleaned = True, cleaned[:-1]
    cleaned = "".join(cleaned.split())  # spaces of every kind (NFKC made them plain)
    if thousands:
        cleaned = cleaned.replace(thousands, "")
    if decimal_mark != ".":
        cleaned = cleaned.replace(decimal_mark, ".")
    try:
        value = Decimal(cleaned)
    except InvalidOperation:
        raise CellError(*where, f"{text!r} is not a number") from None
    if not value.is_finite():
        raise CellError(*where, f"{text!r} is not a number")
    named = CURRENCY_SIGNS.get(sign) if sign else None
    if named and currency and named != currency.upper():
        raise CellError(
            *where, f"{text!r} is in {named} but the row's currency is {currency.upper()}"
        )
    return -value if negative else value


def parse_date(text: str, where: tuple[str, int, str], fmt: str = "%Y-%m-%d") -> date:
    try:
        return datetime.strptime(text[:10] if fmt == "%Y-%m-%d" else text, fmt).date()
    except ValueError:
        raise CellError(*where, f"{text!r} is not a date like {fmt}") from None


# the `datetime_formats` entry reading spreadsheet serial dates (days since 1899-12-30, the
# 1900 date system; a fraction is the time of day), as a number cell without a date format gives
EXCEL_SERIAL = "excel"
EXCEL_EPOCH = datetime(1899, 12, 30)


def _strptime(text: str, fmt: str) -> datetime | None:
    try:
        if fmt == EXCEL_SERIAL:
            return EXCEL_EPOCH + timedelta(seconds=round(Decimal(text) * 86400))
        return datetime.strptime(text, fmt)
    except (ValueError, InvalidOperation, OverflowError):
        return None


def parse_datetime(
    text: str, where: tuple[str, int, str], formats: Sequence[str], timezone: str
) -> datetime:
    """A moment in UTC from the file's local time (`timezone`): the first of `formats` that
    reads the text, else ISO 8601 (spreadsheets store real dates; openpyxl gives them as ISO)."""
    moment = next(filter(None, (_strptime(text, fmt) for fmt in formats)), None)
    if moment is None:
        try:
            moment = datetime.fromisoformat(text)
        except ValueError:
            expected = " or ".join([*formats, "ISO"])
            raise CellError(*where, f"{text!r} is not a date-time like {expected}") from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=ZoneInfo(timezone))
    return moment.astimezone(UTC)


@dataclass
class FileCount:
    """What became of one file's rows: each is loaded, rejected (with its reason) or merged
    into a row of another file on the same key; the counts must add up to the rows read."""

    source_file: str
    content_hash: str
    rows_read: int = 0
    rows_loaded: int = 0
    rows_rejected: int = 0
    rows_merged: int = 0
    reasons: list[str] = field(default_factory=list)

    def reject(self, reason: str) -> None:
        self.rows_rejected += 1
        self.reasons.append(reason)

    def row(self) -> dict[str, Any]:
        """The `file_reconciliation` row; a row unaccounted for is a bug, so it stops the load."""
        accounted = self.rows_loaded + self.rows_rejected + self.rows_merged
        if accounted != self.rows_read:
            raise RuntimeError(
                f"{self.source_file}: {self.rows_read} rows read but {accounted} accounted for"
            )
        return {
            "source_file": self.source_file,
            "content_hash": self.content_hash,
            "loaded_at": datetime.now(UTC),
            "rows_read": self.rows_read,
            "rows_loaded": self.rows_loaded,
            "rows_rejected": self.rows_rejected,
            "rows_merged": self.rows_merged,
        }


RECONCILIATION_KEY = ["source_file", "content_hash"]
RECONCILIATION_COLUMNS = {
    "source_file": "text",
    "content_hash": "text",
    "loaded_at": "timestamp",
    "rows_read": "bigint",
    "rows_loaded": "bigint",
    "rows_rejected": "bigint",
    "rows_merged": "bigint",
}


def log_reconciliation(counts: list[FileCount], logger: logging.Logger) -> None:
    """One line per file; a WARNING with the first reasons when the file had rejections."""
    for count in counts:
        line = (
            f"{count.source_file}: {count.rows_read} rows read, {count.rows_loaded} loaded, "
            f"{count.rows_merged} merged, {count.rows_rejected} rejected"
        )
        if count.rows_rejected:
            logger.warning("%s; first reasons: %s", line, "; ".join(count.reasons[:3]))
        else:
            logger.info(line)
