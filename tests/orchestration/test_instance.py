"""The Dagster instance: SQLite storage by default, PostgreSQL when DAGSTER_POSTGRES_URL is set."""

from __future__ import annotations

import uuid
from pathlib import Path

import dagster as dg
import psycopg2
import pytest

from ingestion.platform.warehouse_url import drop_database, ensure_database, with_database
from orchestration.instance import export_storage_url, write_instance_config


@dg.op
def say_hello() -> str:
    return "hello"


@dg.job
def hello() -> None:
    say_hello()


def test_by_default_storage_is_local_and_pools_allow_one_step(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("DAGSTER_POSTGRES_URL", raising=False)
    write_instance_config(tmp_path)
    with dg.DagsterInstance.from_config(str(tmp_path)) as instance:
        assert type(instance.run_storage).__name__ == "SqliteRunStorage"
        assert instance.get_concurrency_config().pool_config.default_pool_limit == 1
        assert hello.execute_in_process(instance=instance).success
    assert (tmp_path / "history" / "runs.db").exists()


@pytest.fixture
def dagster_database(warehouse_url: str):
    """An empty database on the test server for Dagster's storage, dropped afterwards."""
    admin_url = with_database(warehouse_url, "postgres")
    name = f"spw_dagster_{uuid.uuid4().hex[:8]}"
    ensure_database(admin_url, name)
    yield with_database(warehouse_url, name)
    drop_database(admin_url, name)


def test_with_a_postgres_url_runs_and_events_are_stored_there(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, dagster_database: str
) -> None:
    monkeypatch.setenv("DAGSTER_POSTGRES_URL", dagster_database)  # a plain postgresql:// URL
    export_storage_url()
    written = write_instance_config(tmp_path)
    # The file names the variable, never the URL (it carries the password).
    assert "DAGSTER_POSTGRES_URL" in written.read_text()
    assert dagster_database.split("@")[0] not in written.read_text()

    with dg.DagsterInstance.from_config(str(tmp_path)) as instance:
        assert type(instance.run_storage).__name__ == "PostgresRunStorage"
        assert type(instance.event_log_storage).__name__ == "PostgresEventLogStorage"
        assert type(instance.schedule_storage).__name__ == "PostgresScheduleStorage"
        result = hello.execute_in_process(instance=instance)
        assert result.success

    with psycopg2.connect(dagster_database) as conn, conn.cursor() as cur:
        cur.execute("select pipeline_name, status from runs where run_id = %s", (result.run_id,))
        assert cur.fetchall() == [("hello", "SUCCESS")]
        cur.execute(
            "select count(*) from event_logs where run_id = %s and dagster_event_type = %s",
            (result.run_id, "STEP_SUCCESS"),
        )
        assert cur.fetchone() == (1,)
    conn.close()
    assert not (tmp_path / "history").exists()
