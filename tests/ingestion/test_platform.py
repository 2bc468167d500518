"""The warehouse connection: one URL, derived dbt settings, and the embedded server."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from urllib.parse import urlsplit

import pytest

from ingestion.platform.embedded import EmbeddedServer, _free_port
from ingestion.platform.warehouse_url import (
    WarehouseError,
    connection_environment,
    warehouse_url,
    with_database,
)


def test_dbt_settings_come_from_the_one_url() -> None:
    env = connection_environment("postgresql://loader:p%40ss%3Aw@db.example:6543/sales")
    assert env["WAREHOUSE_HOST"] == "db.example"
    assert env["WAREHOUSE_PORT"] == "6543"
    assert env["WAREHOUSE_USER"] == "loader"
    assert env["WAREHOUSE_PASSWORD"] == "p@ss:w"
    assert env["WAREHOUSE_DB"] == "sales"


def test_with_database_keeps_the_server() -> None:
    assert with_database("postgresql://u:p@h:1/a", "b") == "postgresql://u:p@h:1/b"


def test_a_url_that_is_not_postgres_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("WAREHOUSE_URL", "sqlite:///warehouse.db")
    with pytest.raises(WarehouseError, match="postgresql://"):
        warehouse_url()


def test_the_warehouse_is_a_real_postgres_server(query) -> None:
    (version,) = query("show server_version_num")[0]
    assert int(version) >= 140000


def test_embedded_server_reports_stopped_before_init(tmp_path) -> None:
    server = EmbeddedServer(home=tmp_path / "wh")
    assert not server.is_initialised()
    assert not server.is_running()


def test_another_server_on_the_recorded_port_is_not_taken_for_ours(tmp_path, warehouse_url) -> None:
    """A stopped warehouse whose recorded port another server has taken since (a benchmark's, a
    second checkout's) must not count as running: its password would be sent to a stranger."""
    port = urlsplit(warehouse_url).port  # a live PostgreSQL server that is not this one
    server = EmbeddedServer(home=tmp_path / "wh")
    server.pgdata.mkdir(parents=True)
    (server.pgdata / "PG_VERSION").write_text("16\n")
    (server.home / "port").write_text(f"{port}\n")
    lock_file = server.pgdata / "postmaster.pid"
    assert not server.is_running()  # stopped cleanly: no lock file

    dead = subprocess.Popen(["true"])  # noqa: S607
    dead.wait()
    lock_file.write_text(f"{dead.pid}\n{server.pgdata}\n0\n{port}\n")
    assert not server.is_running()  # killed: the lock file names a process that is gone

    lock_file.write_text(f"{os.getpid()}\n{server.pgdata}\n0\n{port + 1}\n")
    assert not server.is_running()  # alive, but listening elsewhere

    lock_file.write_text(f"{os.getpid()}\n{server.pgdata}\n0\n{port}\n")
    assert server.is_running()  # its lock file names a live process on the answering port


def test_a_port_left_in_time_wait_by_a_stopped_server_is_reused() -> None:
    listener = socket.socket()
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    listener.bind(("127.0.0.1", 0))
    listener.listen()
    port = listener.getsockname()[1]
    client = socket.create_connection(("127.0.0.1", port))
    served, _ = listener.accept()
    served.close()  # the server side closes first: its end of the connection waits in TIME_WAIT
    client.close()
    listener.close()
    assert _free_port(port) == port  # a restart finds its old port (the URLs stay valid)

    busy = socket.socket()
    busy.bind(("127.0.0.1", 0))
    busy.listen()
    try:
        assert _free_port(busy.getsockname()[1]) != busy.getsockname()[1]
    finally:
        busy.close()


def test_the_bottom_package_loads_nothing_heavy() -> None:
    """Every layer imports it, the app's cold start included: no dlt, Dagster or pandas."""
    probe = (
        "import sys, ingestion.platform.warehouse_url, ingestion.platform.embedded, "
        "ingestion.platform.paths; "
        "print(sorted(m for m in ('dlt', 'dagster', 'pandas', 'streamlit', 'psycopg2') "
        "if m in sys.modules))"
    )
    result = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "[]"
