"""The raw layer as Parquet (`RAW_DESTINATION=filesystem`): the setting, the layout Spark reads,
and dlt's merge applied to the files so they hold what PostgreSQL's raw tables hold."""

from __future__ import annotations

import uuid
from pathlib import Path

import dlt
import pyarrow.parquet as pq
import pytest
from fixtures.loads import table_rows
from fixtures.orders_versions import load_twice
from fixtures.tiny_company import orders_tables

from ingestion.demo import orders_database
from ingestion.destination import warehouse
from ingestion.pipelines import raw_pipeline
from ingestion.raw_files import RawDestinationSettingError, raw_bucket_url, raw_files


@pytest.mark.parametrize(
    ("setting", "fix"),
    [
        ({"RAW_DESTINATION": "filesystem"}, "needs RAW_BUCKET_URL"),
        ({"RAW_BUCKET_URL": "/data/raw"}, "set RAW_DESTINATION=filesystem"),
        ({"RAW_DESTINATION": "parquet", "RAW_BUCKET_URL": "/data/raw"}, "use 'postgres'"),
    ],
)
def test_a_half_setting_fails_naming_the_fix(monkeypatch, setting, fix) -> None:
    for name in ("RAW_DESTINATION", "RAW_BUCKET_URL"):
        monkeypatch.delenv(name, raising=False)
    for name, value in setting.items():
        monkeypatch.setenv(name, value)
    with pytest.raises(RawDestinationSettingError, match=fix):
        raw_pipeline("orders")


def test_postgres_stays_the_default_and_a_local_folder_is_made_absolute(
    monkeypatch, tmp_path
) -> None:
    monkeypatch.delenv("RAW_DESTINATION", raising=False)
    monkeypatch.delenv("RAW_BUCKET_URL", raising=False)
    url = "postgresql://spw@localhost:5432/warehouse"  # not connected: only the destination
    assert isinstance(raw_pipeline("orders", url=url).destination, warehouse)
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("RAW_DESTINATION", "filesystem")
    monkeypatch.setenv("RAW_BUCKET_URL", "raw")
    assert raw_bucket_url() == str(tmp_path / "raw")
    assert isinstance(raw_pipeline("orders").destination, raw_files)


def _files_pipeline(monkeypatch, root: Path, name: str):
    with monkeypatch.context() as env:
        env.setenv("RAW_DESTINATION", "filesystem")
        env.setenv("RAW_BUCKET_URL", str(root))
        return raw_pipeline(name)


def _folder_rows(folder: Path) -> list[dict]:
    return pq.read_table(folder).to_pylist()


def test_orders_as_parquet_hold_what_postgres_holds_after_an_update(
    monkeypatch, tmp_path, warehouse_url, scratch_database
) -> None:
    orders_database.write(scratch_database, orders_tables(), replace=True)
    name = f"orders_{uuid.uuid4().hex[:8]}"
    files = _files_pipeline(monkeypatch, tmp_path, name)
    postgres = raw_pipeline(name, url=warehouse_url)
    (_, files_second), _ = load_twice([files, postgres], scratch_database)

    folder = tmp_path / f"raw_{name}" / "orders"
    parquet_files = sorted(p.name for p in folder.glob("*.parquet"))
    # the first load's file and the second's (O002 alone), nothing left behind by the merge
    assert len(parquet_files) == 2 and not list(folder.glob("_*"))
    rows = _folder_rows(folder)
    # 12 orders once each; O002 only as the second load wrote it
    assert len(rows) == 12 == len({row["order_id"] for row in rows})
    (o002,) = [row for row in rows if row["order_id"] == "O002"]
    assert (o002["status"], o002["_dlt_load_id"]) == ("cancelled", files_second)

    columns = [c for c in rows[0] if c != "_dlt_load_id"]
    in_postgres = table_rows(
        postgres, f"select {', '.join(columns)} from {{raw}}.orders order by order_id"
    )
    in_files = [tuple(row[c] for c in columns) for row in sorted(rows, key=lambda r: r["order_id"])]
    assert in_files == in_postgres  # exact: decimals, UTC timestamps, text


def test_nested_rows_of_a_replaced_row_are_taken_out(monkeypatch, tmp_path) -> None:
    """As dlt's merge deletes a replaced root row's nested rows on PostgreSQL."""

    def deals(version: int):
        @dlt.resource(name="deals", primary_key="id", write_disposition="merge")
        def rows():
            yield {"id": 1, "amount": "10.00", "owners": [{"rep": "a"}, {"rep": "b"}]}
            if version == 2:
                yield {"id": 1, "amount": "12.50", "owners": [{"rep": "c"}]}
            else:
                yield {"id": 2, "amount": "7.00", "owners": [{"rep": "d"}]}

        return rows

    pipeline = _files_pipeline(monkeypatch, tmp_path, f"nested_{uuid.uuid4().hex[:8]}")
    pipeline.run(deals(1)())
    # the second load sends deal 1 again (rows of one load are unique on the key: only once)
    second = dlt.resource(
        [{"id": 1, "amount": "12.50", "owners": [{"rep": "c"}]}],
        name="deals",
        primary_key="id",
        write_disposition="merge",
    )
    pipeline.run(second)
    dataset = tmp_path / pipeline.dataset_name
    deals_rows = {row["id"]: row["amount"] for row in _folder_rows(dataset / "deals")}
    owners = sorted(row["rep"] for row in _folder_rows(dataset / "deals__owners"))
    assert deals_rows == {1: "12.50", 2: "7.00"}
    assert owners == ["c", "d"]  # a and b went with deal 1's first version


def test_a_key_sent_twice_in_one_load_keeps_its_last_row(monkeypatch, tmp_path) -> None:
    """An API paged by last-modified time can send a record twice in one load; dlt's merge keeps
    one row per key on PostgreSQL, so the folder does too: the load's last, with its nested
    rows only."""
    pipeline = _files_pipeline(monkeypatch, tmp_path, f"repeats_{uuid.uuid4().hex[:8]}")
    first = [
        {"id": 1, "amount": "10.00", "owners": [{"rep": "a"}, {"rep": "b"}]},
        {"id": 2, "amount": "7.00", "owners": [{"rep": "d"}]},
        {"id": 1, "amount": "12.50", "owners": [{"rep": "c"}]},  # changed while paging
    ]
    pipeline.run(dlt.resource(first, name="deals", primary_key="id", write_disposition="merge"))
    dataset = tmp_path / pipeline.dataset_name
    deals_rows = sorted((row["id"], row["amount"]) for row in _folder_rows(dataset / "deals"))
    owners = sorted(row["rep"] for row in _folder_rows(dataset / "deals__owners"))
    assert deals_rows == [(1, "12.50"), (2, "7.00")]
    assert owners == ["c", "d"]
