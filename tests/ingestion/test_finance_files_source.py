"""Finance's folder: validation names file, row and field; a load merges only changed files."""

from __future__ import annotations

import shutil
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from fixtures.loads import loaded_rows, table_rows
from fixtures.tiny_company import FOLDER

from ingestion.sources.finance_files import finance_files
from ingestion.sources.finance_files.helpers import read_folder
from ingestion.sources.tabular_files import CellError


@pytest.fixture
def finance(tmp_path: Path) -> Path:
    return Path(shutil.copytree(FOLDER / "finance", tmp_path / "finance"))


def _append(path: Path, line: str) -> None:
    with path.open("a", encoding="utf-8") as handle:
        handle.write(line + "\n")


@pytest.mark.parametrize(
    ("file", "line", "row", "field", "reason"),
    [
        # row 8: the header is row 1 and the file has 6 targets (rows 2-7)
        (
            "targets/targets_2026.csv",
            "rep,999,revenue,2026,1000,,,,,,,,,,,,",
            8,
            "scope_id",
            "unknown rep '999'",
        ),
        (
            "targets/targets_2026.csv",
            "rep,105,revenue,2026,-5,,,,,,,,,,,,",
            8,
            "target",
            "-5 is negative",
        ),
        # rep 103 has monthly revenue targets for January-March: a Q1 target overlaps them
        (
            "targets/targets_2026.csv",
            "rep,103,revenue,2026-Q1,1000,,,,,,,,,,,,",
            8,
            "period",
            "overlaps the month target in targets/monthly_targets_2026.csv row 2",
        ),
        # 0.5 + 0.3 + 0.1 + 0.08 x 5 + 0.1 x 4 = 1.7
        (
            "targets/targets_2026.csv",
            "rep,105,revenue,2026,1000,0.5,0.3,0.1,0.08,0.08,0.08,0.08,0.08,0.1,0.1,0.1,0.1",
            8,
            "w12",
            "weights sum to 1.70, not 1",
        ),
        (
            "org/rep_assignments.csv",
            "103,21,2026-03-01,",
            8,
            "valid_from",
            "overlaps 103's assignment in org/rep_assignments.csv row 5",
        ),
        (
            "fx_rates/usd_cny_2026.csv",
            "2026-04-01,USD,CNY,abc",
            92,
            "rate",
            "'abc' is not a number",
        ),
    ],
)
def test_broken_rows_stop_the_load_naming_file_row_and_field(
    finance: Path, file: str, line: str, row: int, field: str, reason: str
) -> None:
    _append(finance / file, line)
    with pytest.raises(CellError) as error:
        read_folder(finance)
    assert (error.value.file, error.value.row, error.value.field) == (file, row, field)
    assert error.value.reason == reason
    assert str(error.value) == f"{file}, row {row}, field {field!r}: {reason}"


def test_loads_validated_tables_and_reloads_only_changed_ones(finance, new_pipeline) -> None:
    pipeline = new_pipeline("finance")
    pipeline.run(finance_files(folder=str(finance)))
    # 2 regions, 3 teams, 5 reps, 6 assignments; 6 + 6 targets; rep 102's 12 weights;
    # 4 spend rows; 90 daily rates (31 + 28 + 31 days)
    assert loaded_rows(pipeline) == {
        "regions": 2,
        "teams": 3,
        "reps": 5,
        "rep_assignments": 6,
        "targets": 12,
        "target_weights": 12,
        "marketing_spend": 4,
        "fx_rates": 90,
        "file_reconciliation": 8,  # one row per file: 4 org, 2 targets, 1 spend, 1 rates
    }
    assert table_rows(
        pipeline,
        "select month_start, weight from {raw}.target_weights "
        "where target_id = 'rep:102:revenue:2026-01-01:year' and month_start < '2026-04-01' "
        "order by 1",
    ) == [
        (date(2026, 1, 1), Decimal("0.05")),
        (date(2026, 2, 1), Decimal("0.05")),
        (date(2026, 3, 1), Decimal("0.10")),
    ]
    pipeline.run(finance_files(folder=str(finance)))
    assert loaded_rows(pipeline) == {}
    _append(finance / "fx_rates" / "usd_cny_2026.csv", "2026-04-01,USD,CNY,7.3000")
    pipeline.run(finance_files(folder=str(finance)))
    # only the new rate, and the new version of its file in the reconciliation
    assert loaded_rows(pipeline) == {"fx_rates": 1, "file_reconciliation": 1}
    assert table_rows(pipeline, "select count(*) from {raw}.fx_rates") == [(91,)]


def test_org_files_merge_and_optional_columns_may_be_empty(finance, new_pipeline) -> None:
    # a second reps file in a subfolder, a team with no region and no manager, rates from 2009
    (finance / "org" / "south").mkdir()
    (finance / "org" / "south" / "reps_south.csv").write_text(
        "owner_id,full_name,email,role,hire_date,leave_date\n"
        "106,Fay Wu,fay@tiny.example,rep,2026-03-01,\n",
        encoding="utf-8",
    )
    _append(finance / "org" / "teams.csv", "31,New team,,")
    (finance / "fx_rates" / "usd_cny_2009.csv").write_text(
        "rate_date,from_currency,to_currency,rate\n2009-01-02,USD,CNY,6.8346\n", encoding="utf-8"
    )
    pipeline = new_pipeline("finance")
    pipeline.run(finance_files(folder=str(finance)))
    assert table_rows(
        pipeline, "select owner_id, full_name from {raw}.reps where owner_id = '106'"
    ) == [("106", "Fay Wu")]
    assert table_rows(
        pipeline, "select region_id, manager_owner_id from {raw}.teams where team_id = '31'"
    ) == [(None, None)]
    assert table_rows(
        pipeline, "select fx_rate from {raw}.fx_rates where rate_date = '2009-01-02'"
    ) == [(Decimal("6.8346"),)]
    assert table_rows(
        pipeline,
        "select rows_read, rows_loaded from {raw}.file_reconciliation "
        "where source_file = 'org/south/reps_south.csv'",
    ) == [(1, 1)]


def test_a_rep_in_two_org_files_and_a_stray_org_file_are_refused(finance) -> None:
    (finance / "org" / "reps_more.csv").write_text(
        "owner_id,full_name,email,role,hire_date,leave_date\n"
        "105,Eve Liu,eve@tiny.example,rep,2026-02-15,\n",
        encoding="utf-8",
    )
    with pytest.raises(CellError) as error:
        read_folder(finance)
    # reps.csv comes before reps_more.csv: Eve (105) is its row 6
    assert str(error.value) == (
        "org/reps_more.csv, row 2, field 'owner_id': a second rep 105: org/reps.csv row 6 "
        "has one already"
    )
    (finance / "org" / "reps_more.csv").rename(finance / "org" / "people.csv")
    with pytest.raises(CellError, match="org/people.csv, row 1, field '\\*': not an org file"):
        read_folder(finance)
