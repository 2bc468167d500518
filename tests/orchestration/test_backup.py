"""`make backup` / `make restore` (ingestion/platform/backup.py) on real PostgreSQL databases.

Each test dumps a scratch database holding rows put there by hand, and restores into another
empty database: what comes back is compared row for row. The month-end schema
`commission_ops` is created here (its owners add it in their own branches) to prove it is
carried like `incentives_closed`.
"""

from __future__ import annotations

import os
import subprocess
import sys
import uuid
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

import psycopg2
import pytest
from dagster import DagsterInstance

from ingestion.platform import backup
from ingestion.platform.warehouse_url import drop_database, ensure_database, with_database

DECISIONS = """
create schema incentives_closed;
create table incentives_closed.closed_periods (
    period_start date primary key, closed_at timestamptz not null, closed_by text not null);
insert into incentives_closed.closed_periods values
    ('2026-01-01', '2026-02-03 09:00+00', 'finance'),
    ('2026-02-01', '2026-03-02 09:00+00', 'finance');
create schema commission_ops;
create table commission_ops.approvals (
    approval_id bigint generated always as identity primary key,
    period_start date not null, approved_by text not null, total_amount numeric(18, 2) not null);
insert into commission_ops.approvals (period_start, approved_by, total_amount) values
    ('2026-01-01', 'alice', 12345.67), ('2026-02-01', 'finance', 0.01);
create schema marts;
create table marts.fct_orders (order_id text primary key);
insert into marts.fct_orders values ('O001');
"""


def _rows(url: str, sql: str) -> list[tuple]:
    with psycopg2.connect(url) as conn, conn.cursor() as cur:
        cur.execute(sql)
        rows = cur.fetchall() if cur.description else []
    conn.close()
    return rows


def _schemas(url: str) -> list[str]:
    return [name for (name,) in _rows(url, "select nspname from pg_namespace order by 1")]


@pytest.fixture
def databases(warehouse_url: str) -> Iterator[tuple[str, str]]:
    """A warehouse holding decisions and a rebuildable mart, and an empty one."""
    admin = with_database(warehouse_url, "postgres")
    names = [f"spw_backup_{uuid.uuid4().hex[:8]}" for _ in range(2)]
    for name in names:
        ensure_database(admin, name)
    source, empty = (with_database(warehouse_url, name) for name in names)
    _rows(source, DECISIONS)
    try:
        yield source, empty
    finally:
        for name in names:
            drop_database(admin, name)


@pytest.fixture
def backup_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "backups"
    monkeypatch.setenv(backup.BACKUP_DIR_ENV, str(folder))
    monkeypatch.delenv(backup.KEEP_ENV, raising=False)
    monkeypatch.delenv(backup.BIN_DIR_ENV, raising=False)
    return folder


APPROVALS = (
    "select approval_id, period_start::text, approved_by, total_amount"
    " from commission_ops.approvals order by 1"
)


def test_the_backup_carries_the_irreplaceable_schemas_only(databases, backup_folder) -> None:
    source, empty = databases
    done = backup.create_backup(source)
    assert done.path.parent == backup_folder and done.path.stat().st_size > 0
    assert done.schemas == ("incentives_closed", "commission_ops")
    assert backup.archive_problems(done.path, done.schemas) == []

    restored = backup.restore_backup(empty)  # the newest backup in BACKUP_DIR
    assert restored.path == done.path and restored.replaced == ()
    assert _rows(empty, APPROVALS) == [
        (1, "2026-01-01", "alice", Decimal("12345.67")),
        (2, "2026-02-01", "finance", Decimal("0.01")),
    ]
    assert _rows(empty, "select period_start::text from incentives_closed.closed_periods") == [
        ("2026-01-01",),
        ("2026-02-01",),
    ]
    assert "marts" not in _schemas(empty)  # rebuilt by the pipeline, not restored
    # the identity goes on from where it was, so a new approval never reuses an id
    _rows(
        empty,
        "insert into commission_ops.approvals (period_start, approved_by, total_amount)"
        " values ('2026-03-01', 'bob', 1.00)",
    )
    assert _rows(empty, APPROVALS)[-1][0] == 3


def test_a_restore_over_rows_is_refused_unless_forced(databases, backup_folder) -> None:
    source, _ = databases
    done = backup.create_backup(source)
    _rows(
        source,
        "insert into commission_ops.approvals (period_start, approved_by,"
        " total_amount) values ('2026-03-01', 'late', 9.99)",
    )
    with pytest.raises(backup.BackupError) as refused:
        backup.restore_backup(source, done.path)
    assert "commission_ops.approvals (3 rows)" in str(refused.value)
    assert "incentives_closed.closed_periods (2 rows)" in str(refused.value)
    assert "FORCE=1" in str(refused.value)
    assert len(_rows(source, APPROVALS)) == 3  # untouched

    forced = backup.restore_backup(source, done.path, force=True)
    assert len(_rows(source, APPROVALS)) == 2
    assert _rows(source, "select order_id from marts.fct_orders") == [("O001",)]
    # the replaced rows were dumped first: restoring that archive brings the late row back
    assert forced.safety_backup is not None and forced.safety_backup.exists()
    backup.restore_backup(source, forced.safety_backup, force=True)
    assert _rows(source, APPROVALS)[-1][2:] == ("late", Decimal("9.99"))
    # and the default FILE stays the newest real backup, not the safety dump
    assert backup.archives(backup_folder, scope="irreplaceable")[-1] == done.path


def test_scope_all_dumps_and_restores_the_whole_warehouse(databases, backup_folder) -> None:
    source, empty = databases
    _rows(source, "create table public.notes (note text); insert into public.notes values ('kept')")
    done = backup.create_backup(source, scope="all")
    assert "-all-" in done.path.name
    backup.restore_backup(empty, done.path)
    assert _rows(empty, "select order_id from marts.fct_orders") == [("O001",)]
    assert _rows(empty, "select note from public.notes") == [("kept",)]
    assert len(_rows(empty, APPROVALS)) == 2
    with pytest.raises(backup.BackupError) as refused:  # now it holds rows: a second is refused
        backup.restore_backup(empty, done.path)
    assert "public.notes (1 rows)" in str(refused.value)
    assert "marts.fct_orders (1 rows)" in str(refused.value)


def test_retention_keeps_the_newest_archives(databases, backup_folder, monkeypatch) -> None:
    source, _ = databases
    monkeypatch.setenv(backup.KEEP_ENV, "2")
    made = [backup.create_backup(source).path for _ in range(3)]
    assert backup.archives(backup_folder) == made[1:]
    monkeypatch.setenv(backup.KEEP_ENV, "none")
    with pytest.raises(backup.BackupError, match="BACKUP_KEEP=none"):
        backup.create_backup(source)


def test_an_empty_warehouse_has_nothing_to_back_up(databases, backup_folder) -> None:
    _, empty = databases
    with pytest.raises(backup.BackupError, match="nothing to back up"):
        backup.create_backup(empty)
    with pytest.raises(backup.BackupError, match="no backup in"):
        backup.restore_backup(empty)


def test_the_password_never_reaches_the_command_line() -> None:
    target, environment = backup.client_target(
        "postgresql+psycopg2://etl:s3cr%40t@db.example:5433/warehouse?sslmode=require"
    )
    assert target == "postgresql://etl@db.example:5433/warehouse?sslmode=require"
    assert environment["PGPASSWORD"] == "s3cr@t"
    socket, _ = backup.client_target("postgresql://postgres@/warehouse?host=/run/postgresql")
    assert socket == "postgresql://postgres@/warehouse?host=/run/postgresql"


def test_a_unix_socket_warehouse_is_backed_up_and_restored(trust_socket_url, backup_folder) -> None:
    names = [f"spw_socket_{uuid.uuid4().hex[:8]}" for _ in range(2)]
    for name in names:
        ensure_database(trust_socket_url, name)
    source, empty = (with_database(trust_socket_url, name) for name in names)
    try:
        _rows(source, DECISIONS)
        done = backup.create_backup(source)
        backup.restore_backup(empty, done.path)
        assert len(_rows(empty, APPROVALS)) == 2
    finally:
        for name in names:
            drop_database(trust_socket_url, name)


def test_a_client_older_than_the_server_is_refused_naming_the_fix(
    warehouse_url, monkeypatch
) -> None:
    major = backup.server_major(warehouse_url)
    older = [
        folder
        for folder in Path("/usr/lib/postgresql").glob("*/bin")
        if (folder / "pg_dump").exists() and int(folder.parent.name) < major
    ]
    if not older:
        pytest.skip(f"no PostgreSQL client older than the server ({major}) installed")
    monkeypatch.setenv(backup.BIN_DIR_ENV, str(older[0]))
    with pytest.raises(backup.BackupError) as refused:
        backup.client_for("pg_dump", major)
    message = str(refused.value)
    assert f"runs PostgreSQL {major}" in message
    assert f"({older[0].parent.name})" in message
    assert f"postgresql-client-{major}" in message and backup.BIN_DIR_ENV in message


def _command(url: str, *args: str) -> subprocess.CompletedProcess[str]:
    """`python -m ingestion.platform.backup <args>`, as `make backup`/`make restore` run it."""
    return subprocess.run(
        [sys.executable, "-m", "ingestion.platform.backup", *args],
        env={**os.environ, "WAREHOUSE_URL": url},
        capture_output=True,
        text=True,
        check=False,
    )


def test_make_backup_and_restore_as_commands(databases, backup_folder) -> None:
    source, empty = databases
    made = _command(source, "create")
    assert made.returncode == 0, made.stderr
    assert "holds incentives_closed, commission_ops" in made.stderr
    assert source.split("@")[0].split(":")[-1] not in made.stderr  # no password in the output
    again = _command(source, "restore")
    assert again.returncode == 1 and "refusing to restore" in again.stderr
    into_empty = _command(empty, "restore")
    assert into_empty.returncode == 0, into_empty.stderr
    assert "Now run `make pipeline`" in into_empty.stderr
    assert len(_rows(empty, APPROVALS)) == 2


def test_the_nightly_backup_job_writes_and_checks_an_archive(
    databases, backup_folder, monkeypatch
) -> None:
    from orchestration.definitions import defs
    from orchestration.defs.backup import BACKUP_JOB_NAME

    source, _ = databases
    monkeypatch.setenv("WAREHOUSE_URL", source)
    with DagsterInstance.ephemeral() as instance:
        result = defs.resolve_job_def(BACKUP_JOB_NAME).execute_in_process(instance=instance)
    assert result.success
    (check,) = result.get_asset_check_evaluations()
    assert check.passed, check.metadata
    (archive,) = backup.archives(backup_folder)
    assert check.metadata["path"].value == str(archive)
    # the schemas this warehouse has (forecast_history comes with the first forecast build)
    assert backup.archive_problems(archive, ("incentives_closed", "commission_ops")) == []
