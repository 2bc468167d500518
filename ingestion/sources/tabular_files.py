"""Reading people's spreadsheets: CSV (any encoding, delimiter) and XLSX, cell by cell as text,
with parsers that name the file, row and field of anything they cannot read.

Row numbers are the spreadsheet's: the header is row 1, the first record row 2.
"""

from __future__ import annotations

import csv
import hashlib
import io
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import dlt
from dlt.sources import DltResource
from openpyxl import load_workbook

from ingestion.sources.schema import SCHEMA_CONTRACT, materialize_once, typed_columns

FIRST_ROW = 2


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


def read_rows(
    path: Path, encoding: str = "utf-8-sig", delimiter: str = ",", sheet: str | None = None
) -> list[dict[str, str]]:
    """Every record of a CSV or XLSX file as `{header: text}` (empty cells are "")."""
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
    if not rows:
        return []
    header = [h.strip().lstrip("\ufeff") for h in rows[0]]
    return [
        dict(zip(header, [c.strip() for c in row] + [""] * (len(header) - len(row)), strict=False))
        for row in rows[1:]
        if any(c.strip() for c in row)
    ]


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


@dataclass
class FolderTable:
    """One table read from a folder: its rows and the files they came from.

    With `by_file`, rows carry `source_file` (relative to the root) and only the rows of changed
    files are loaded; otherwise any changed file reloads the whole table. With a `cursor`
    column (a date or time that only grows, like a last-modified time), only rows at or after
    the largest value already loaded come again: an export that grows by a day's rows loads
    that day's rows.
    """

    root: Path
    files: list[Path]
    rows: list[dict[str, Any]] = field(default_factory=list)
    by_file: bool = False
    cursor: str | None = None


def folder_table_resource(
    name: str,
    primary_key: str | list[str],
    columns: dict[str, str],
    read: Callable[[], FolderTable],
) -> DltResource:
    """A merged resource loading a folder table when its files change (nothing otherwise).

    Its table is created on the first load even when empty (e.g. no rejected rows yet), so
    models reading it never meet a missing relation; `data_type` changes stop the load.
    """

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
        changed = changed_files(table.files, table.root)
        if not changed:
            return
        selected = [r for r in table.rows if not table.by_file or r["source_file"] in changed]
        if table.cursor:
            selected = _since_last_cursor(selected, table.cursor)
        if selected:
            yield selected

    return rows


def parse_decimal(
    text: str, where: tuple[str, int, str], decimal_mark: str = ".", thousands: str = ""
) -> Decimal:
    """An exact decimal from text such as `1,234.50` or `1.234,50` (per the file's marks)."""
    cleaned = text.replace(" ", "")
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
    return value


def parse_date(text: str, where: tuple[str, int, str], fmt: str = "%Y-%m-%d") -> date:
    try:
        return datetime.strptime(text[:10] if fmt == "%Y-%m-%d" else text, fmt).date()
    except ValueError:
        raise CellError(*where, f"{text!r} is not a date like {fmt}") from None


def parse_datetime(
    text: str, where: tuple[str, int, str], fmt: str | None, timezone: str
) -> datetime:
    """A moment in UTC from the file's local time (`timezone`), in `fmt` or ISO 8601."""
    try:
        moment = datetime.strptime(text, fmt) if fmt else datetime.fromisoformat(text)
    except ValueError:
        try:  # spreadsheets store real dates; openpyxl gives them as ISO text
            moment = datetime.fromisoformat(text)
        except ValueError:
            raise CellError(*where, f"{text!r} is not a date-time like {fmt or 'ISO'}") from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=ZoneInfo(timezone))
    return moment.astimezone(UTC)


def _since_last_cursor(rows: list[dict[str, Any]], cursor: str) -> list[dict[str, Any]]:
    """Rows whose `cursor` is empty or not older than the largest value seen (kept in state)."""
    state = dlt.current.resource_state()
    seen = state.get("cursor_max")
    values = [row[cursor].isoformat() for row in rows if row.get(cursor) is not None]
    if values:
        state["cursor_max"] = max([*values, seen] if seen else values)
    if seen is None:
        return rows
    return [r for r in rows if r.get(cursor) is None or r[cursor].isoformat() >= seen]
