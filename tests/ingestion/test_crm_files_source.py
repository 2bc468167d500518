"""CRM export files: a GBK-encoded CSV with Chinese headers and an XLSX, mapped by YAML."""

from __future__ import annotations

import shutil
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

import pytest
import yaml
from fixtures.loads import loaded_rows, table_rows
from fixtures.tiny_company import FOLDER
from openpyxl import Workbook

from ingestion.sources.crm_files import crm_files

DEALS = "商机.csv"


@pytest.fixture
def exports(tmp_path: Path) -> Path:
    """The tiny company's exports, with the visit log as an XLSX and two more broken deals."""
    folder = Path(shutil.copytree(FOLDER / "crm_files", tmp_path / "crm_files"))
    with (folder / DEALS).open("a", encoding="gbk") as handle:
        handle.write(
            "QD-4,金额错误,陈丹,C007,x,三千,CNY,线索,website,,2026/03/11 10:00,,"
            "2026/03/11 10:00,2026/03/11 10:00,,\n"
        )
        handle.write(
            "QD-5,币种错误,刘伊,C008,x,100.00,RMB,线索,website,,2026/03/12 10:00,,"
            "2026/03/12 10:00,2026/03/12 10:00,,\n"
        )
    _visit_log(
        folder,
        [
            ("HD-1", "拜访", "陈丹", "QD-1", "2026/01/08 14:00"),
            ("HD-2", "电话", "刘伊", "QD-2", datetime(2026, 2, 22, 11, 0)),
        ],
    )
    mapping = yaml.safe_load((folder / "mapping.yml").read_text(encoding="utf-8"))
    visits = next(f for f in mapping["files"] if f["entity"] == "activities")
    visits.update(path="拜访.xlsx", sheet="拜访记录")
    (folder / "mapping.yml").write_text(
        yaml.safe_dump(mapping, allow_unicode=True), encoding="utf-8"
    )
    (folder / "拜访.csv").unlink()
    return folder


def _visit_log(folder: Path, rows: list[tuple]) -> None:
    """An XLSX as people save it: Chinese headers, a text time and a real date-time cell."""
    book = Workbook()
    sheet = book.active
    sheet.title = "拜访记录"
    sheet.append(["记录编号", "类型", "销售", "商机编号", "时间"])
    for row in rows:
        sheet.append(list(row))
    book.save(folder / "拜访.xlsx")


def test_gbk_csv_and_xlsx_load_and_broken_rows_are_rejected(exports, new_pipeline) -> None:
    pipeline = new_pipeline("crm_files")
    pipeline.run(crm_files(folder=str(exports)))
    assert table_rows(
        pipeline,
        "select deal_id, owner_id, stage_id, amount, amount_currency, closed_at "
        "from {raw}.deals order by 1",
    ) == [
        # "30,000.00" with a thousands separator; 2026/02/16 10:00 Beijing = 02:00 UTC
        (
            "QD-1",
            "104",
            "closedwon",
            Decimal("30000.00"),
            "CNY",
            datetime(2026, 2, 16, 2, 0, tzinfo=UTC),
        ),
        (
            "QD-2",
            "105",
            "closedlost",
            Decimal("5000.00"),
            "CNY",
            datetime(2026, 3, 9, 2, 0, tzinfo=UTC),
        ),
    ]
    assert table_rows(
        pipeline,
        "select source_file, source_row, field, reason from {raw}.deals_rejected "
        "order by source_row",
    ) == [
        (DEALS, 4, "负责人", "'赵六' is not in the mapping's people"),
        (DEALS, 5, "金额", "'三千' is not a number"),
        (DEALS, 6, "币种", "unknown currency 'RMB'"),
    ]
    assert table_rows(
        pipeline,
        "select activity_id, activity_type, owner_id, occurred_at from {raw}.activities order by 1",
    ) == [
        ("HD-1", "visit", "104", datetime(2026, 1, 8, 6, 0, tzinfo=UTC)),
        ("HD-2", "call", "105", datetime(2026, 2, 22, 3, 0, tzinfo=UTC)),
    ]
    # QD-1: lead, intent, quote from the date columns, then won; QD-2: lead, intent, lost
    assert table_rows(pipeline, "select count(*) from {raw}.deal_stage_changes") == [(7,)]


def test_a_rerun_loads_nothing_and_a_changed_file_reloads_alone(exports, new_pipeline) -> None:
    pipeline = new_pipeline("crm_files")
    pipeline.run(crm_files(folder=str(exports)))
    pipeline.run(crm_files(folder=str(exports)))
    assert loaded_rows(pipeline) == {}
    _visit_log(
        exports,
        [
            ("HD-1", "拜访", "陈丹", "QD-1", "2026/01/08 14:00"),
            ("HD-2", "电话", "刘伊", "QD-2", "2026/02/22 11:00"),
            ("HD-3", "培训", "刘伊", "", "2026/03/02 09:00"),
        ],
    )
    pipeline.run(crm_files(folder=str(exports)))
    # only the new row HD-3 (HD-2's text time is the same moment its date cell was), and the
    # new version of the XLSX in the reconciliation (no date cursor decides: issue 14)
    assert loaded_rows(pipeline) == {"activities": 1, "file_reconciliation": 1}
    assert table_rows(pipeline, "select count(*) from {raw}.activities") == [(3,)]


def test_a_file_in_the_wrong_encoding_names_the_file(exports, new_pipeline) -> None:
    raw = (exports / DEALS).read_bytes().decode("gbk")
    (exports / DEALS).write_bytes(raw.encode("utf-8"))  # saved as UTF-8, mapped as GBK
    with pytest.raises(Exception, match="商机.csv, row 1, field '\\*': not readable as gbk"):
        new_pipeline("crm_files").run(crm_files(folder=str(exports)))


def test_an_export_saved_from_excel_with_title_lines_and_formatted_amounts(
    tmp_path: Path, new_pipeline
) -> None:
    """Excel's "Save as CSV" in a European locale, from a Chinese CRM's report: two title lines
    above the header (header_row: 3), semicolons, GB18030, and amounts as the cells showed them."""
    folder = tmp_path / "exports"
    folder.mkdir()
    lines = [
        "商机列表;;;;",
        "导出时间: 2026/11/30 18:00;;;;",
        "编号;负责人;阶段;金额;币种;创建",
        "D-1;陈丹;赢单;￥30.000,50;CNY;2026/01/06",  # the full-width yuan sign
        "D-2;陈丹;线索;1\u00a0234,50 €;EUR;2026/01/07",  # a no-break space groups thousands
        "D-3;陈丹;线索;１２．５００,００;CNY;2026/01/08",  # full-width digits and dot
        "D-4;陈丹;线索;€12,00;CNY;2026/01/09",  # a euro amount on a yuan row: which is right?
        "D-5;陈丹;线索;30000元;CNY;2026/01/10",
        "合计;;;74.235,00;;",  # the report's total line
    ]
    (folder / "商机.csv").write_bytes(("\r\n".join(lines) + "\r\n").encode("gb18030"))
    mapping = {
        "people": {"陈丹": {"owner_id": "104"}},
        "stages": {"赢单": "closedwon", "线索": "appointmentscheduled"},
        "files": [
            {
                "path": "商机.csv",
                "entity": "deals",
                "encoding": "gb18030",
                "delimiter": ";",
                "decimal": ",",
                "thousands": ".",
                "header_row": 3,
                "datetime_format": "%Y/%m/%d",
                "columns": {
                    "deal_id": "编号",
                    "owner": "负责人",
                    "stage": "阶段",
                    "amount": "金额",
                    "currency": "币种",
                    "created_at": "创建",
                },
            }
        ],
    }
    (folder / "mapping.yml").write_text(yaml.safe_dump(mapping, allow_unicode=True), "utf-8")
    pipeline = new_pipeline("crm_files")
    pipeline.run(crm_files(folder=str(folder)))
    assert table_rows(
        pipeline, "select deal_id, amount, amount_currency from {raw}.deals order by 1"
    ) == [
        ("D-1", Decimal("30000.50"), "CNY"),
        ("D-2", Decimal("1234.50"), "EUR"),
        ("D-3", Decimal("12500.00"), "CNY"),
        ("D-5", Decimal("30000"), "CNY"),
    ]
    # rows keep the spreadsheet's numbers: the header is row 3, D-4 is row 7
    assert table_rows(
        pipeline,
        "select source_row, field, reason from {raw}.deals_rejected order by source_row",
    ) == [
        (7, "金额", "'€12,00' is in EUR but the row's currency is CNY"),
        (9, "阶段", "is required"),  # the total line has no stage (nor owner)
    ]
    assert table_rows(
        pipeline,
        "select rows_read, rows_loaded, rows_rejected, rows_merged from {raw}.file_reconciliation",
    ) == [(6, 4, 2, 0)]


@pytest.mark.parametrize(
    ("text", "marks", "expected"),
    [
        ("(1,234.50)", (".", ","), Decimal("-1234.50")),  # accounting negative
        ("1,234.50-", (".", ","), Decimal("-1234.50")),  # SAP's trailing minus
        ("US$ 99.90", (".", ","), Decimal("99.90")),
        ("1\u202f234,5", (",", ""), Decimal("1234.5")),  # a narrow no-break space (French)
        ("-￥８８", (".", ""), Decimal("-88")),
        ("\u22121 200", (".", ""), Decimal("-1200")),  # the typographic minus sign
    ],
)
def test_amounts_read_as_people_write_them(text, marks, expected) -> None:
    from ingestion.sources.tabular_files import parse_decimal

    assert parse_decimal(text, ("f.csv", 2, "amount"), *marks) == expected
