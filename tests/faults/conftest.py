"""Fixtures of the fault tests (the harness itself is `harness.py`)."""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest

from ingestion.platform.embedded import EmbeddedServer


@pytest.fixture(scope="module")
def own_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[EmbeddedServer]:
    """A PostgreSQL server of this test module alone, which it may stop and restart."""
    server = EmbeddedServer(home=tmp_path_factory.mktemp("warehouse"))
    saved_port = os.environ.pop("WAREHOUSE_PORT", None)
    os.environ["WAREHOUSE_PORT"] = "0"
    try:
        server.start()
    finally:
        os.environ.pop("WAREHOUSE_PORT")
        if saved_port is not None:
            os.environ["WAREHOUSE_PORT"] = saved_port
    try:
        yield server
    finally:
        server.stop()
