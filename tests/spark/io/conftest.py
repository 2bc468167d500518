"""Fixtures of the Parquet raw layer and publish tests: a warehouse database of their own (the
session's is the tiny company's build) and a local Spark session's folders of their own."""

from __future__ import annotations

import time
import uuid
from collections.abc import Iterator

import pytest

from ingestion.platform.warehouse_url import drop_database, ensure_database, with_database


@pytest.fixture
def own_warehouse(warehouse_url: str) -> Iterator[str]:
    """A fresh database on the test server, dropped after the test."""
    admin = with_database(warehouse_url, "postgres")
    name = f"spw_rawfiles_{uuid.uuid4().hex[:8]}"
    ensure_database(admin, name)
    try:
        yield with_database(warehouse_url, name)
    finally:
        drop_database(admin, name)


@pytest.fixture
def own_spark_environment(tmp_path) -> dict[str, str]:
    """profiles.yml's `spark` output in fresh folders: nothing registered by another test."""
    return {
        "SPARK_WAREHOUSE_DIR": str(tmp_path / "spark" / "warehouse"),
        "SPARK_METASTORE_DIR": str(tmp_path / "spark" / "metastore_db"),
        "SPARK_DERBY_HOME": str(tmp_path / "spark"),
    }


@pytest.fixture
def utc_process(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """This process in UTC while the test runs: pyspark hands timestamps back as naive local
    times, compared with PostgreSQL's UTC ones."""
    monkeypatch.setenv("TZ", "UTC")
    time.tzset()
    yield
    monkeypatch.undo()
    time.tzset()
