"""The warehouse connection: one URL, derived dbt settings, and the embedded server."""

from __future__ import annotations

import pytest

from orchestration.warehouse import (
    EmbeddedServer,
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
