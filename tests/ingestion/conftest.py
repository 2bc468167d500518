"""Helpers for running one dlt source for real into the test warehouse, and for serving the
fake CRM APIs it reads."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from typing import TypeVar

import psycopg2
import pytest
from dlt.pipeline.pipeline import Pipeline

from ingestion.demo.fake_api import FakeApiServer
from ingestion.pipelines import raw_pipeline

ServerT = TypeVar("ServerT", bound=FakeApiServer)


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


@pytest.fixture
def serve() -> Iterator[Callable[[ServerT], ServerT]]:
    """Start a fake API server (`ingestion.demo.fake_api`) in a thread and give it back; every
    server started stops and closes its socket when the test ends, however it ends."""
    started: list[FakeApiServer] = []

    def start(server: ServerT) -> ServerT:
        server.start_in_thread()
        started.append(server)
        return server

    yield start
    for server in started:
        server.shutdown()
        server.server_close()
