"""Hundreds of messy exports, generated: every row written ends loaded, merged or rejected.

Encodings (UTF-8, UTF-8 with BOM, GBK), delimiters (comma, semicolon, tab), CRLF, quoted
newlines and delimiters, several date formats in one column, XLSX with date cells and Excel
serial numbers, blank and trailing columns,
duplicate keys, unknown people and unreadable amounts, spread over one or two files (the second
sometimes declared to update the first). The real conversion runs on each; a few examples also
run the real dlt load into the test PostgreSQL and are checked there.
"""

from __future__ import annotations

import csv
import io
import tempfile
from collections import Counter
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

import yaml
from fixtures.loads import table_rows
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl import Workbook

from ingestion.sources.crm_files import crm_files
from ingestion.sources.crm_files.folder import Converted, convert_folder

FORMATS = ["%d.%m.%Y", "%Y-%m-%d %H:%M", "%Y/%m/%d", "excel"]
HEADER = ["编号", "Owner", "阶段", "Amount", "Currency", "Created", "Note", ""]
COLUMNS = {
    "deal_id": "编号",
    "owner": "Owner",
    "stage": "阶段",
    "amount": "Amount",
    "currency": "Currency",
    "created_at": "Created",
    "deal_name": "Note",
}
EPOCH = datetime(1998, 1, 1)


@dataclass
class Export:
    name: str
    encoding: str
    delimiter: str
    newline: str
    rows: list[list]


texts = st.text(alphabet="ab 中文,;\t\"'\n", max_size=12)
dates = st.builds(
    lambda days, fmt: (EPOCH + timedelta(days=days)).strftime(fmt),
    st.integers(0, 12000),
    st.sampled_from(FORMATS[:3]),
)
# a workbook's date column: date cells, serial numbers (a number cell without a date format)
cells = st.one_of(
    dates,
    st.integers(0, 12000).map(lambda days: EPOCH + timedelta(days=days, hours=9)),
    st.integers(35000, 47000),
    st.floats(35000, 47000, allow_nan=False).map(lambda serial: round(serial, 4)),
)


def rows(created: st.SearchStrategy) -> st.SearchStrategy:
    return st.lists(
        st.tuples(
            st.sampled_from(["K1", "K2", "K3", "K4", "K5", "K6", "K7", "K8"]),
            st.sampled_from(["Ann", "Ben", "Zed"]),
            st.sampled_from(["线索", "赢单", "输单"]),
            st.one_of(st.just(""), st.just("1,5"), st.decimals(0, 10**6, places=2).map(str)),
            st.sampled_from(["CNY", "", "usd"]),
            st.one_of(created, st.just("not a date")),
            texts,
            # the blank column the header ends with, and sometimes a value beyond the header
            st.sampled_from([[""], ["", ""], ["", "stray"]]),
        ).map(lambda row: [*row[:-1], *row[-1]]),
        min_size=1,
        max_size=12,
    )


exports = st.one_of(
    st.builds(
        Export,
        name=st.sampled_from(["a.csv", "商机.csv"]),
        encoding=st.sampled_from(["utf-8", "utf-8-sig", "gbk"]),
        delimiter=st.sampled_from([",", ";", "\t"]),
        newline=st.sampled_from(["\n", "\r\n"]),
        rows=rows(dates),
    ),
    st.builds(
        Export,
        name=st.sampled_from(["a.xlsx", "商机.xlsx"]),
        encoding=st.just("utf-8"),
        delimiter=st.just(","),
        newline=st.just("\n"),
        rows=rows(cells),
    ),
)


def write(folder: Path, export: Export) -> None:
    if export.name.endswith(".xlsx"):
        book = Workbook()
        for row in [HEADER, *export.rows]:
            book.active.append(row)
        book.save(folder / export.name)
        return
    buffer = io.StringIO()
    csv.writer(buffer, delimiter=export.delimiter, lineterminator=export.newline).writerows(
        [HEADER, *export.rows]
    )
    (folder / export.name).write_bytes(buffer.getvalue().encode(export.encoding))


def folder_of(folder: Path, first: Export, second: Export | None, updates: bool) -> list[Export]:
    if second is not None:
        second = Export(**{**vars(second), "name": "b" + Path(second.name).suffix})
    files = [first] if second is None else [first, second]
    specs = []
    for export in files:
        write(folder, export)
        spec = {
            "path": export.name,
            "entity": "deals",
            "encoding": export.encoding,
            "delimiter": export.delimiter,
            "datetime_formats": FORMATS,
            "columns": COLUMNS,
        }
        if export is not first and updates:
            spec["updates"] = first.name
        specs.append(spec)
    mapping = {
        "timezone": "Asia/Shanghai",
        "people": {"Ann": {"owner_id": "1"}, "Ben": {"owner_id": "2"}},
        "stages": {"线索": "appointmentscheduled", "赢单": "closedwon", "输单": "closedlost"},
        "files": specs,
    }
    (folder / "mapping.yml").write_text(yaml.safe_dump(mapping, allow_unicode=True), "utf-8")
    return files


def endings(converted: Converted) -> Counter:
    """How often each (file, row) ended somewhere: loaded, merged or rejected."""
    places = Counter()
    for table in ("deals", "merged_rows", "deals_rejected"):
        for row in converted.rows.get(table, []):
            places[row["source_file"], row["source_row"]] += 1
    return places


def written(files: list[Export]) -> Counter:
    return Counter((f.name, n) for f in files for n in range(2, len(f.rows) + 2))


two_files = st.tuples(exports, st.one_of(st.none(), exports), st.booleans())


@settings(max_examples=300, deadline=None)
@given(two_files)
def test_every_generated_row_is_accounted_for(case) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        files = folder_of(Path(tmp), *case)
        converted = convert_folder(Path(tmp))
    # each row ends in exactly one place, and the per-file counts say the same
    assert endings(converted) == written(files)
    for count in converted.counts.values():
        count.row()  # raises when read != loaded + rejected + merged
    assert sum(c.rows_read for c in converted.counts.values()) == sum(len(f.rows) for f in files)
    keys = [row["deal_id"] for row in converted.rows.get("deals", [])]
    assert len(keys) == len(set(keys))  # one record per key


@settings(
    max_examples=4, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(two_files)
def test_loaded_examples_reconcile_in_the_warehouse(new_pipeline, case) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        files = folder_of(Path(tmp), *case)
        pipeline = new_pipeline("crm_files")
        pipeline.run(crm_files(folder=tmp))
    ended = table_rows(
        pipeline,
        "select source_file, source_row from {raw}.deals "
        "union all select source_file, source_row from {raw}.merged_rows "
        "union all select source_file, source_row from {raw}.deals_rejected",
    )
    assert Counter(ended) == written(files)
    counts = table_rows(
        pipeline,
        "select source_file, rows_read, rows_loaded + rows_rejected + rows_merged "
        "from {raw}.file_reconciliation",
    )
    assert sorted(counts) == sorted((f.name, len(f.rows), len(f.rows)) for f in files)
