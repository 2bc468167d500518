"""Helpers for running one dlt source for real into the test warehouse."""

from __future__ import annotations

import uuid
from collections.abc import Callable

import psycopg2
import pytest
from dlt.pipeline.pipeline import Pipeline

from ingestion.pipelines import raw_pipeline


@pytest.fixture
def new_pipeline(warehouse_url: str) -> Callable[[str], Pipeline]:
    """A dlt pipeline into the test warehouse with its own dataset `raw_<name>_<random>`."""
    return lambda name: raw_pipeline(f"{name}_{uuid.uuid4().hex[:8]}", url=warehouse_url)


@pytest.fixture
def source_sql(scratch_database: str) -> Callable[[str], None]:
    """Run statements in the scratch source database."""

    def run(sql: str) -> None:
        with psycopg2.connect(scratch_database) as conn, conn.cursor() as cur:
            cur.execute(sql)

    return run
