"""CRM export folders that lose nothing (issue 14): no date cursor, declared merges, refused
duplicates, constants and defaults, snapshots; every file's rows reconcile in the warehouse."""

from __future__ import annotations

import csv
import shutil
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
import yaml
from fixtures.loads import loaded_rows, table_rows
from fixtures.tiny_company import FOLDER
from openpyxl import Workbook

from ingestion.sources.crm_files import crm_files
from ingestion.sources.crm_files.folder import convert_folder
from ingestion.sources.crm_files.helpers import MappingError
from ingestion.sources.tabular_files import CellError

PEOPLE = {"Ann": {"owner_id": "201"}, "Ben": {"owner_id": "202"}}
STAGES = {"Lead": "appointmentscheduled", "Won": "closedwon", "Lost": "closedlost"}
DEAL_COLUMNS = {
    "deal_id": "Id",
    "owner": "Owner",
    "stage": "Stage",
    "amount": "Amount",
    "currency": "Currency",
    "created_at": "Created",
    "closed_at": "Closed",
}
HEADER = ["Id", "Owner", "Stage", "Amount", "Currency", "Created", "Closed"]


def write_csv(folder: Path, name: str, header: list[str], rows: list[list[str]]) -> None:
    with (folder / name).open("w", encoding="utf-8", newline="") as handle:
        csv.writer(handle).writerows([header, *rows])


def write_mapping(folder: Path, files: list[dict[str, Any]], **extra: Any) -> None:
    mapping = {"people": PEOPLE, "stages": STAGES, "files": files, **extra}
    (folder / "mapping.yml").write_text(yaml.safe_dump(mapping, allow_unicode=True), "utf-8")


def deals_file(path: str, **extra: Any) -> dict[str, Any]:
    return {"path": path, "entity": "deals", "columns": DEAL_COLUMNS, **extra}


def reconciliation(pipeline) -> dict[str, tuple]:
    """The latest counts per file: (read, loaded, rejected, merged)."""
    rows = table_rows(
        pipeline,
        "select distinct on (source_file) source_file, rows_read, rows_loaded, rows_rejected, "
        "rows_merged from {raw}.file_reconciliation order by source_file, loaded_at desc",
    )
    return {row[0]: row[1:] for row in rows}


def test_exports_dated_years_earlier_load_after_newer_ones(tmp_path, new_pipeline) -> None:
    write_csv(
        tmp_path,
        "deals_2026.csv",
        HEADER,
        [
            ["N-1", "Ann", "Won", "100.00", "CNY", "2026-01-05 10:00", "2026-02-01 10:00"],
            ["N-2", "Ben", "Lead", "", "", "2026-03-01 10:00", ""],
        ],
    )
    write_mapping(tmp_path, [deals_file("deals_2026.csv")])
    pipeline = new_pipeline("crm_files")
    pipeline.run(crm_files(folder=str(tmp_path)))
    write_csv(
        tmp_path,
        "deals_2019.csv",
        HEADER,
        [
            ["H-1", "Ann", "Won", "50.00", "USD", "2019-01-02 09:00", "2019-03-04 09:00"],
            ["H-2", "Ben", "Lost", "70.00", "USD", "2019-02-02 09:00", "2019-05-06 09:00"],
            ["H-3", "Zed", "Lead", "", "", "2019-06-01 09:00", ""],
            ["H-4", "Ann", "Lead", "", "", "2018-12-31 23:00", ""],
        ],
    )
    write_mapping(tmp_path, [deals_file("deals_2026.csv"), deals_file("deals_2019.csv")])
    pipeline.run(crm_files(folder=str(tmp_path)))
    # every older row arrives: H-1, H-2, H-4 loaded, H-3 rejected (an unknown person)
    assert table_rows(pipeline, "select deal_id from {raw}.deals order by 1") == [
        ("H-1",),
        ("H-2",),
        ("H-4",),
        ("N-1",),
        ("N-2",),
    ]
    assert table_rows(
        pipeline, "select source_file, source_row, field, reason from {raw}.deals_rejected"
    ) == [("deals_2019.csv", 4, "Owner", "'Zed' is not in the mapping's people")]
    assert reconciliation(pipeline) == {
        "deals_2019.csv": (4, 3, 1, 0),
        "deals_2026.csv": (2, 2, 0, 0),
    }
    # each person starts where the exports first show them (H-4, H-2): a person the org files
    # lack becomes an unassigned rep from that day, not a NULL valid_from in dim_reps
    assert table_rows(pipeline, "select owner_id, created_at from {raw}.owners order by 1") == [
        ("201", datetime(2018, 12, 31, 23, 0, tzinfo=UTC)),
        ("202", datetime(2019, 2, 2, 9, 0, tzinfo=UTC)),
    ]
    pipeline.run(crm_files(folder=str(tmp_path)))
    assert loaded_rows(pipeline) == {}


def test_a_closed_deals_file_updates_the_leads_file(tmp_path, new_pipeline) -> None:
    write_csv(
        tmp_path,
        "leads.csv",
        ["Id", "Owner", "Stage", "Amount", "Currency", "Created", "Closed"],
        [
            ["L-1", "Ann", "Lead", "100.00", "CNY", "2026-01-05 10:00", ""],
            ["L-2", "Ann", "Lead", "200.00", "CNY", "2026-01-06 10:00", ""],
            ["L-3", "Ben", "Lead", "300.00", "CNY", "2026-01-07 10:00", ""],
            ["L-4", "Ben", "Lead", "400.00", "CNY", "2026-01-08 10:00", ""],
        ],
    )
    write_csv(
        tmp_path,
        "closed.csv",
        ["Lead id", "Result", "Final amount", "Closed on"],
        [
            ["L-1", "Won", "120.00", "2026-02-01 10:00"],
            ["L-2", "Lost", "", "2026-02-02 10:00"],
            ["L-3", "Won", "", "2026-02-03 10:00"],
            ["L-9", "Won", "90.00", "2026-02-04 10:00"],
        ],
    )
    closed = {
        "path": "closed.csv",
        "entity": "deals",
        "updates": "leads.csv",
        "columns": {
            "deal_id": "Lead id",
            "stage": "Result",
            "amount": "Final amount",
            "closed_at": "Closed on",
        },
    }
    write_mapping(tmp_path, [deals_file("leads.csv"), closed])
    pipeline = new_pipeline("crm_files")
    pipeline.run(crm_files(folder=str(tmp_path)))
    # won: L-1 and L-3 (L-2 lost, L-4 still a lead; L-9 is in no leads row, so has no owner)
    assert table_rows(
        pipeline,
        "select deal_id, stage_id, amount, amount_currency, closed_at, merged_from "
        "from {raw}.deals order by 1",
    ) == [
        (
            "L-1",
            "closedwon",
            Decimal("120.00"),  # the later file's non-empty amount wins
            "CNY",
            datetime(2026, 2, 1, 10, 0, tzinfo=UTC),
            "closed.csv row 2",
        ),
        (
            "L-2",
            "closedlost",
            Decimal("200.00"),
            "CNY",
            datetime(2026, 2, 2, 10, 0, tzinfo=UTC),
            "closed.csv row 3",
        ),
        (
            "L-3",
            "closedwon",
            Decimal("300.00"),
            "CNY",
            datetime(2026, 2, 3, 10, 0, tzinfo=UTC),
            "closed.csv row 4",
        ),
        ("L-4", "appointmentscheduled", Decimal("400.00"), "CNY", None, None),
    ]
    assert table_rows(
        pipeline, "select count(*) from {raw}.deals where stage_id = 'closedwon'"
    ) == [(2,)]
    assert table_rows(
        pipeline,
        "select source_row, merged_into_key, merged_into_file, merged_into_row "
        "from {raw}.merged_rows order by 1",
    ) == [(2, "L-1", "leads.csv", 2), (3, "L-2", "leads.csv", 3), (4, "L-3", "leads.csv", 4)]
    assert table_rows(
        pipeline, "select source_file, source_row, field, reason from {raw}.deals_rejected"
    ) == [("closed.csv", 5, "owner", "deal_id 'L-9' has no owner_id in any file")]
    assert reconciliation(pipeline) == {"closed.csv": (4, 0, 1, 3), "leads.csv": (4, 4, 0, 0)}
    # the closing stage entries: one per closed deal, at its closing time
    assert table_rows(
        pipeline, "select deal_id, stage_id from {raw}.deal_stage_changes order by 1"
    ) == [("L-1", "closedwon"), ("L-2", "closedlost"), ("L-3", "closedwon")]


def test_an_undeclared_duplicate_is_refused_naming_both_places(tmp_path, new_pipeline) -> None:
    row = ["D-1", "Ann", "Lead", "", "", "2026-01-05 10:00", ""]
    write_csv(tmp_path, "a.csv", HEADER, [row, ["D-2", *row[1:]], ["D-2", *row[1:]]])
    write_csv(tmp_path, "b.csv", HEADER, [["D-3", *row[1:]], row])
    write_mapping(tmp_path, [deals_file("a.csv"), deals_file("b.csv")])
    pipeline = new_pipeline("crm_files")
    pipeline.run(crm_files(folder=str(tmp_path)))
    assert table_rows(pipeline, "select deal_id from {raw}.deals") == [("D-3",)]
    fix = "a key may repeat only where a file declares `updates:` the file it updates"
    assert table_rows(
        pipeline,
        "select source_file, source_row, field, reason from {raw}.deals_rejected order by 1, 2",
    ) == [
        (
            "a.csv",
            2,
            "Id",
            f"deal_id 'D-1' is also in b.csv row 3: {fix} (fix the key or declare the update)",
        ),
        (
            "a.csv",
            3,
            "Id",
            f"deal_id 'D-2' is also in a.csv row 4: {fix} (fix the key or declare the update)",
        ),
        (
            "a.csv",
            4,
            "Id",
            f"deal_id 'D-2' is also in a.csv row 3: {fix} (fix the key or declare the update)",
        ),
        (
            "b.csv",
            3,
            "Id",
            f"deal_id 'D-1' is also in a.csv row 2: {fix} (fix the key or declare the update)",
        ),
    ]
    assert reconciliation(pipeline) == {"a.csv": (3, 0, 3, 0), "b.csv": (2, 1, 1, 0)}


def test_constants_and_defaults_stand_in_for_missing_columns(tmp_path, new_pipeline) -> None:
    # no stage, owner or currency column; two date formats and Berlin time
    write_csv(
        tmp_path,
        "won.csv",
        ["No", "Value", "Date", "Source"],
        [
            ["W-1", "1.234,50", "31.12.2016", "Web"],
            ["W-2", "99,00", "2017-01-02 08:30", "Fair"],
        ],
    )
    write_csv(
        tmp_path,
        "bare.csv",
        ["No", "Value", "Date"],
        [["B-1", "5", "2017-01-03"], ["B-2", "", "2017-01-04"]],
    )
    won = {
        "path": "won.csv",
        "entity": "deals",
        "decimal": ",",
        "thousands": ".",
        "timezone": "Europe/Berlin",
        "datetime_formats": ["%d.%m.%Y", "%Y-%m-%d %H:%M"],
        "columns": {
            "deal_id": "No",
            "amount": "Value",
            "created_at": "Date",
            "closed_at": "Date",
            "lead_source": "Source",
        },
        "constants": {"stage": "Won", "product_line": "pumps"},
        "defaults": {"owner": "Ann", "currency": "EUR"},
        "values": {"lead_source": {"Web": "website"}},
    }
    bare = {
        "path": "bare.csv",
        "entity": "deals",
        "datetime_formats": ["%Y-%m-%d"],
        "columns": {"deal_id": "No", "amount": "Value", "created_at": "Date"},
        "constants": {"stage": "Lead", "owner": "Ben"},
    }
    write_mapping(tmp_path, [won, bare])
    pipeline = new_pipeline("crm_files")
    pipeline.run(crm_files(folder=str(tmp_path)))
    assert table_rows(
        pipeline,
        "select deal_id, owner_id, stage_id, amount, amount_currency, lead_source, product_line, "
        "created_at from {raw}.deals order by 1",
    ) == [
        (
            "B-2",
            "202",
            "appointmentscheduled",
            None,
            None,
            None,
            None,
            datetime(2017, 1, 4, tzinfo=UTC),
        ),
        # 31.12.2016 00:00 Berlin (UTC+1) is 30.12.2016 23:00 UTC; values map Web -> website
        (
            "W-1",
            "201",
            "closedwon",
            Decimal("1234.50"),
            "EUR",
            "website",
            "pumps",
            datetime(2016, 12, 30, 23, 0, tzinfo=UTC),
        ),
        # "Fair" has no value map entry: kept as written, not re-cased
        (
            "W-2",
            "201",
            "closedwon",
            Decimal("99.00"),
            "EUR",
            "Fair",
            "pumps",
            datetime(2017, 1, 2, 7, 30, tzinfo=UTC),
        ),
    ]
    assert table_rows(
        pipeline, "select source_file, source_row, field, reason from {raw}.deals_rejected"
    ) == [
        (
            "bare.csv",
            2,
            "currency",
            "an amount without a currency: map a currency column or set "
            "`defaults: {currency: ...}` for the file",
        )
    ]


def test_a_snapshot_file_marks_vanished_rows_deleted(tmp_path, new_pipeline) -> None:
    rows = [[f"S-{n}", "Ann", "Lead", "", "", f"2026-01-0{n} 10:00", ""] for n in (1, 2, 3)]
    write_csv(tmp_path, "all.csv", HEADER, rows)
    write_mapping(tmp_path, [deals_file("all.csv", mode="snapshot")])
    pipeline = new_pipeline("crm_files")
    pipeline.run(crm_files(folder=str(tmp_path)))
    write_csv(tmp_path, "all.csv", HEADER, [rows[0], rows[2]])
    pipeline.run(crm_files(folder=str(tmp_path)))
    # S-2 stays in the table, marked deleted (as the CRM API's archived deals are)
    assert table_rows(pipeline, "select count(*) from {raw}.deals") == [(3,)]
    assert table_rows(
        pipeline, "select entity, key, source_file, is_deleted from {raw}.deleted_rows"
    ) == [("deals", "S-2", "all.csv", True)]
    write_csv(tmp_path, "all.csv", HEADER, rows)
    pipeline.run(crm_files(folder=str(tmp_path)))
    assert table_rows(pipeline, "select key, is_deleted from {raw}.deleted_rows") == [
        ("S-2", False)
    ]


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"defaults": {"colour": "red"}}, "a.csv: unknown field(s) ['colour'] in defaults"),
        ({"updates": "b.csv"}, "a.csv: updates 'b.csv', which is not a file listed before it"),
        ({"timezone": "Mars/Base"}, "unknown timezone 'Mars/Base'"),
        (
            {"columns": {"deal_id": "Id"}},
            "a.csv: no column, constant or default for ['owner', 'stage', 'created_at']",
        ),
        ({"mode": "sometimes"}, "mode"),
    ],
)
def test_a_wrong_mapping_fails_before_anything_loads(tmp_path, change, message) -> None:
    write_csv(tmp_path, "a.csv", HEADER, [])
    write_csv(tmp_path, "b.csv", HEADER, [])
    write_mapping(tmp_path, [deals_file("a.csv", **change), deals_file("b.csv")])
    with pytest.raises(MappingError, match="mapping.yml is not a valid mapping") as error:
        convert_folder(tmp_path)
    assert message in str(error.value)


def test_own_pipeline_stages_and_people_missing_from_the_org(
    tmp_path, new_pipeline, caplog
) -> None:
    exports, finance = tmp_path / "exports", tmp_path / "finance"
    (finance / "org").mkdir(parents=True)
    exports.mkdir()
    (finance / "org" / "reps.csv").write_text(
        "owner_id,full_name,email,role,hire_date,leave_date\n201,Ann,,rep,2020-01-01,\n", "utf-8"
    )
    write_csv(
        exports,
        "deals.csv",
        HEADER,
        [
            ["P-1", "Ann", "线索", "", "", "2026-01-05 10:00", ""],
            ["P-2", "Ben", "Won", "10.00", "CNY", "2026-01-06 10:00", "2026-01-20 10:00"],
        ],
    )
    stages = [
        {"id": "r_lead", "label_en": "Lead", "label_zh": "线索", "order": 0, "probability": 0.1},
        {
            "id": "r_won",
            "label_en": "Won",
            "label_zh": "赢单",
            "order": 1,
            "probability": 1,
            "is_won": True,
        },
    ]
    write_mapping(
        exports,
        [deals_file("deals.csv")],
        stages={},
        pipelines=[{"id": "retail", "label": "Retail", "stages": stages}],
    )
    pipeline = new_pipeline("crm_files")
    pipeline.run(crm_files(folder=str(exports), org_folder=str(finance)))
    # stages read by their Chinese or English label; the only pipeline is every row's
    assert table_rows(
        pipeline, "select deal_id, pipeline_id, stage_id, closed_at from {raw}.deals order by 1"
    ) == [
        ("P-1", "retail", "r_lead", None),
        ("P-2", "retail", "r_won", datetime(2026, 1, 20, 10, 0, tzinfo=UTC)),
    ]
    assert table_rows(pipeline, "select deal_id, stage_id from {raw}.deal_stage_changes") == [
        ("P-2", "r_won")
    ]
    assert table_rows(
        pipeline,
        "select stage_id, label_zh, display_order, probability, is_won, is_lost "
        "from {raw}.pipeline_stages order by display_order",
    ) == [
        ("r_lead", "线索", 0, Decimal("0.1"), False, False),
        ("r_won", "赢单", 1, Decimal("1"), True, False),
    ]
    assert "in no org file" in caplog.text and "Ben (202)" in caplog.text
    assert "Ann (201)" not in caplog.text


def test_a_workbook_with_serial_numbers_date_cells_and_dotted_dates(tmp_path) -> None:
    book = Workbook()
    book.active.append(HEADER)
    book.active.append(["X-1", "Ann", "Lead", "", "", 43831.25, ""])  # 2020-01-01 06:00
    book.active.append(["X-2", "Ann", "Lead", "", "", datetime(2001, 2, 3, 9, 0), ""])
    book.active.append(["X-3", "Ann", "Lead", "", "", "31.12.2016", ""])
    book.save(tmp_path / "deals.xlsx")
    formats = ["%d.%m.%Y", "excel"]
    write_mapping(tmp_path, [deals_file("deals.xlsx", datetime_formats=formats)])
    converted = convert_folder(tmp_path)
    assert [(r["deal_id"], r["created_at"]) for r in converted.rows["deals"]] == [
        ("X-1", datetime(2020, 1, 1, 6, 0, tzinfo=UTC)),
        ("X-2", datetime(2001, 2, 3, 9, 0, tzinfo=UTC)),
        ("X-3", datetime(2016, 12, 31, 0, 0, tzinfo=UTC)),
    ]


def test_the_tiny_company_then_its_exports_of_years_earlier(tmp_path, new_pipeline) -> None:
    # issue 14's first finding: exports loaded after newer ones arrived with 0 of their rows
    folder = Path(shutil.copytree(FOLDER / "crm_files", tmp_path / "crm_files"))
    pipeline = new_pipeline("crm_files")
    pipeline.run(crm_files(folder=str(folder)))
    old = (folder / "商机.csv").read_text(encoding="gbk").splitlines()[0] + "\n"
    old += 'QD-2018-1,旧单,陈丹,C007,x,"1,000.00",CNY,赢单,website,,2018/03/01 10:00,'
    old += "2018/04/01 10:00,2018/04/01 10:00,,,\n"
    old += "QD-2018-2,旧单,刘伊,C008,x,,,输单,website,Price,2017/11/01 10:00,"
    old += "2018/01/15 10:00,2018/01/15 10:00,,,\n"
    (folder / "商机_2018.csv").write_bytes(old.encode("gbk"))
    mapping = yaml.safe_load((folder / "mapping.yml").read_text(encoding="utf-8"))
    deals = next(f for f in mapping["files"] if f["path"] == "商机.csv")
    mapping["files"].append({**deals, "path": "商机_2018.csv"})
    (folder / "mapping.yml").write_text(yaml.safe_dump(mapping, allow_unicode=True), "utf-8")
    pipeline.run(crm_files(folder=str(folder)))
    assert table_rows(
        pipeline,
        "select deal_id, stage_id from {raw}.deals where deal_id like 'QD-2018%' order by 1",
    ) == [("QD-2018-1", "closedwon"), ("QD-2018-2", "closedlost")]
    assert reconciliation(pipeline)["商机_2018.csv"] == (2, 2, 0, 0)
    # the tiny company's own deals: QD-1, QD-2 loaded, QD-3 rejected (赵六), untouched
    assert reconciliation(pipeline)["商机.csv"] == (3, 2, 1, 0)


def test_values_beyond_the_header_blank_lines_and_a_doubled_header(tmp_path) -> None:
    (tmp_path / "a.csv").write_text(
        ",".join(HEADER) + "\n"
        # an unquoted thousands separator shifts the row by one column
        "D-1,Ann,Lead,1,000.00,CNY,2026-01-05 10:00,2026-01-09 10:00\n"
        "\n"
        "D-2,Ann,Lead,,,2026-01-06 10:00,,\n",  # a trailing empty cell is no value
        encoding="utf-8",
    )
    write_mapping(tmp_path, [deals_file("a.csv")])
    converted = convert_folder(tmp_path)
    # the blank line keeps its number: D-2 is the spreadsheet's row 4
    assert [(r["deal_id"], r["source_row"]) for r in converted.rows["deals"]] == [("D-2", 4)]
    ((rejected),) = converted.rows["deals_rejected"]
    assert (rejected["source_row"], rejected["field"]) == (2, "(beyond the header)")
    assert rejected["reason"].startswith("'2026-01-09 10:00' in no named column")
    (tmp_path / "a.csv").write_text("Id,Owner,Id\nD-1,Ann,D-2\n", encoding="utf-8")
    with pytest.raises(CellError, match="a.csv, row 1, field 'Id': is in the header twice"):
        convert_folder(tmp_path)
