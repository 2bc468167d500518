"""Bad finance files: a clear error naming file, row and field, and nothing partial committed.

Each test loads the tiny company's finance folder once (tests/fixtures/README.md), breaks one
file the way people do, loads again, and checks the error and that every raw table and dlt's load
history are exactly as the good load left them.
"""

from __future__ import annotations

import shutil
import uuid
from collections.abc import Callable
from pathlib import Path

import psycopg2
import pytest
from dlt.pipeline.exceptions import PipelineStepFailed
from psycopg2 import sql

from ingestion.pipelines import raw_pipeline
from ingestion.sources.finance_files import PRIMARY_KEYS, finance_files

TINY_FINANCE = Path(__file__).resolve().parents[1] / "fixtures" / "tiny_company" / "finance"
MONTHLY = "targets/monthly_targets_2026.csv"
FX = "fx_rates/usd_cny_2026.csv"


class FinanceLoad:
    """The finance source of one folder into its own `raw_finance_<random>` dataset."""

    def __init__(self, url: str, folder: Path) -> None:
        self.url = url
        self.folder = folder
        self.pipeline = raw_pipeline(f"finance_{uuid.uuid4().hex[:8]}", url=url)

    def run(self) -> None:
        self.pipeline.run(finance_files(folder=str(self.folder)))

    def contents(self) -> dict[str, list[tuple]]:
        """Every row of every table (dlt's columns left out) and the completed loads."""
        schema = self.pipeline.dataset_name
        out = {}
        with psycopg2.connect(self.url) as conn, conn.cursor() as cur:
            for table in [*PRIMARY_KEYS, "_dlt_loads"]:
                cur.execute(
                    sql.SQL("select * from {} order by 1").format(sql.Identifier(schema, table))
                )
                names = [d.name for d in cur.description]
                keep = [i for i, n in enumerate(names) if not n.startswith("_dlt_")]
                out[table] = [tuple(row[i] for i in keep) for row in cur.fetchall()]
            cur.execute(
                sql.SQL("select count(*) from {}").format(sql.Identifier(schema, "_dlt_loads"))
            )
            out["loads"] = cur.fetchall()
        return out

    def edit(self, name: str, change: Callable[[str], str], encoding: str = "utf-8") -> None:
        path = self.folder / name
        path.write_bytes(change(path.read_text(encoding="utf-8-sig")).encode(encoding))


@pytest.fixture
def finance(warehouse_url: str, tmp_path: Path) -> FinanceLoad:
    folder = tmp_path / "finance"
    shutil.copytree(TINY_FINANCE, folder)
    load = FinanceLoad(warehouse_url, folder)
    load.run()
    return load


def _fails_naming(finance: FinanceLoad, location: str) -> None:
    before = finance.contents()
    with pytest.raises(PipelineStepFailed) as failure:
        finance.run()
    assert location in str(failure.value), str(failure.value)
    assert finance.contents() == before  # not one row, not one load more


def test_a_file_in_the_wrong_encoding(finance: FinanceLoad) -> None:
    # Saved from a Chinese Excel as GBK: the new row 8 (header, six targets, then it) carries a
    # note in Chinese, whose bytes are not UTF-8.
    finance.edit(
        MONTHLY,
        lambda text: (
            text.replace("period,target", "period,target,note").rstrip("\n")
            + "\nrep,102,visits,2026-03,6,华东补充\n"
        ),
        encoding="gbk",
    )
    _fails_naming(finance, "monthly_targets_2026.csv, row 8, field 'note': not readable as utf-8")


def test_a_missing_required_column(finance: FinanceLoad) -> None:
    finance.edit(
        MONTHLY, lambda text: "\n".join(line.rsplit(",", 1)[0] for line in text.split("\n"))
    )
    _fails_naming(finance, f"{MONTHLY}, row 2, field 'target': is required")


def test_text_in_an_amount(finance: FinanceLoad) -> None:
    finance.edit(
        MONTHLY,
        lambda text: text.replace("rep,103,revenue,2026-02,20000", "rep,103,revenue,2026-02,二万"),
    )
    _fails_naming(finance, f"{MONTHLY}, row 3, field 'target': '二万' is not a number")


def test_a_duplicate_row(finance: FinanceLoad) -> None:
    # row 8 (after the header and six targets) repeats row 2
    finance.edit(MONTHLY, lambda text: text + "rep,103,revenue,2026-01,20000\n")
    _fails_naming(
        finance,
        f"{MONTHLY}, row 8, field 'period': overlaps the month target in {MONTHLY} row 2",
    )


def test_a_duplicate_fx_rate_with_another_value(finance: FinanceLoad) -> None:
    # The same day's USD->CNY rate twice: which one is right cannot be guessed.
    first = (finance.folder / FX).read_text().split("\n")[1]
    changed = first.rsplit(",", 1)[0] + ",7.3000"
    finance.edit(FX, lambda text: text + changed + "\n")
    rows = len((finance.folder / FX).read_text().strip().split("\n"))
    _fails_naming(
        finance,
        f"{FX}, row {rows}, field 'rate_date': a second rate for 2026-01-01 USD CNY: {FX} row 2",
    )


def test_overlapping_target_periods(finance: FinanceLoad) -> None:
    # a quarterly revenue target for rep 103 on top of their January..March monthly ones
    finance.edit(MONTHLY, lambda text: text + "rep,103,revenue,2026-Q1,60000\n")
    _fails_naming(finance, f"{MONTHLY}, row 8, field 'period': overlaps the month target")


def test_an_extra_column_is_ignored_and_changes_nothing(finance: FinanceLoad) -> None:
    # A column the folder does not define (a comment) is not loaded; the targets stay as they
    # were, so a re-run with it present is accepted (it loads the changed file again, same rows).
    before = finance.contents()
    finance.edit(
        MONTHLY,
        lambda text: "\n".join(
            line + (",comment" if i == 0 else ",checked") if line else line
            for i, line in enumerate(text.split("\n"))
        ),
    )
    finance.run()
    after = finance.contents()
    assert {k: v for k, v in after.items() if k not in ("_dlt_loads", "loads")} == {
        k: v for k, v in before.items() if k not in ("_dlt_loads", "loads")
    }


def test_quotes_semicolons_and_comment_markers_are_only_data(finance: FinanceLoad) -> None:
    # Text written to break SQL built by pasting: a header (a column the folder does not define,
    # so ignored) and values. A valid row around them loads; an id nobody has is refused by name.
    loads = f"{finance.pipeline.dataset_name}._dlt_loads"
    header = f'note"; drop table {loads}; --'
    finance.edit(
        MONTHLY,
        lambda text: (
            text.replace("period,target", f"period,target,{header}").rstrip("\n")
            + "\nrep,102,visits,2026-03,6,x' or '1'='1\n"
        ),
    )
    finance.run()
    after = finance.contents()  # reads `_dlt_loads`: it is still there
    assert after["loads"] == [(2,)]
    (added,) = [row for row in after["targets"] if row[0] == "rep:102:visits:2026-03-01:month"]
    assert added[7] == 6 and added[8:] == (MONTHLY, 8)  # the target, its file and row

    scope_id = f"104'); drop table {loads}; /* x */ --"
    finance.edit(MONTHLY, lambda text: text + f"rep,{scope_id},visits,2026-04,6,\n")
    _fails_naming(finance, f"field 'scope_id': unknown rep \"{scope_id}\"")
