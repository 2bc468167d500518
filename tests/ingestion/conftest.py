"""Helpers for running one dlt source for real into the test warehouse."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator

import psycopg2
import pytest
from dlt.pipeline.pipeline import Pipeline

from ingestion.pipelines import raw_pipeline
from orchestration.warehouse import drop_database, ensure_database, with_database


@pytest.fixture
def new_pipeline(warehouse_url: str) -> Callable[[str], Pipeline]:
    """A dlt pipeline into the test warehouse with its own dataset `raw_<name>_<random>`."""
    return lambda name: raw_pipeline(f"{name}_{uuid.uuid4().hex[:8]}", url=warehouse_url)


@pytest.fixture
def scratch_database(warehouse_url: str) -> Iterator[str]:
    """An empty database on the test server (a source system of one test), dropped after."""
    admin = with_database(warehouse_url, "postgres")
    name = f"spw_source_{uuid.uuid4().hex[:8]}"
    ensure_database(admin, name)
    try:
        yield with_database(warehouse_url, name)
    finally:
        drop_database(admin, name)


@pytest.fixture
def source_sql(scratch_database: str) -> Callable[[str], None]:
    """Run statements in the scratch source database."""

    def run(sql: str) -> None:
        with psycopg2.connect(scratch_database) as conn, conn.cursor() as cur:
            cur.execute(sql)

    return run
