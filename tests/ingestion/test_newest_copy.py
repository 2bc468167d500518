"""A record sent twice in one load keeps its newest copy (`typed_columns(..., newest_by=cursor)`,
ingestion/sources/schema.py), whichever order the copies came in, in PostgreSQL and in the raw
layer as Parquet (ingestion/merge_on_key.py): a CRM record changed while the source pages
through the records comes again further on, a search restarting from its last timestamp repeats
records, and a bulk job returns them in any order. Without the hint, dlt's merge on PostgreSQL
kept the older copy of a record sent first old, then new."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from pathlib import Path

import dlt
import psycopg2
import pyarrow.parquet as pq
import pytest

from ingestion.pipelines import raw_pipeline
from ingestion.sources.schema import SCHEMA_CONTRACT, typed_columns

OLD = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)
NEW = datetime(2026, 3, 1, 9, 5, tzinfo=UTC)


def _record(record_id: str, email: str, modified: datetime) -> dict:
    return {"id": record_id, "email": email, "modified_at": modified}


def _postgres_rows(url: str, dataset: str) -> list[tuple]:
    with psycopg2.connect(url) as conn, conn.cursor() as cur:
        cur.execute(f'select id, email, modified_at from "{dataset}".contacts order by id')
        return cur.fetchall()


def _parquet_rows(folder: Path) -> list[tuple]:
    rows = pq.read_table(folder, columns=["id", "email", "modified_at"]).to_pylist()
    return sorted((row["id"], row["email"], row["modified_at"]) for row in rows)


@pytest.mark.parametrize("destination", ["postgres", "filesystem"])
@pytest.mark.parametrize("newest_first", [True, False], ids=["newest first", "newest last"])
def test_a_key_sent_twice_in_one_load_keeps_its_newest_copy(
    warehouse_url: str, monkeypatch, tmp_path, destination: str, newest_first: bool
) -> None:
    old = [_record("7", "old@example.cn", OLD), _record("8", "eight@example.cn", OLD)]
    new = [_record("7", "new@example.cn", NEW)]
    pages = [new, old] if newest_first else [old, new]

    @dlt.resource(
        name="contacts",
        primary_key="id",
        write_disposition="merge",
        schema_contract=SCHEMA_CONTRACT,
        columns=typed_columns(
            {"id": "text", "email": "text", "modified_at": "timestamp"}, newest_by="modified_at"
        ),
    )
    def contacts():
        yield from pages

    name = f"newest_{uuid.uuid4().hex[:8]}"
    with monkeypatch.context() as env:
        if destination == "filesystem":
            env.setenv("RAW_DESTINATION", "filesystem")
            env.setenv("RAW_BUCKET_URL", str(tmp_path))
        pipeline = raw_pipeline(name, url=warehouse_url)
    # twice: the first load creates the table, the second merges into it
    for _ in range(2):
        pipeline.run(contacts())
        if destination == "filesystem":
            rows = _parquet_rows(tmp_path / pipeline.dataset_name / "contacts")
        else:
            rows = _postgres_rows(warehouse_url, pipeline.dataset_name)
        assert rows == [("7", "new@example.cn", NEW), ("8", "eight@example.cn", OLD)]
