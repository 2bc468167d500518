"""Test fixtures: a real PostgreSQL server and a fresh database per test session.

The server is `WAREHOUSE_URL`'s when set, else the embedded one in `.warehouse/` (started here if
needed). Each session works in its own databases, dropped at the end, so tests never touch the
demo warehouse and can run beside `make run`.
"""

from __future__ import annotations

import os
import shutil
import tempfile
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import NamedTuple

import psycopg2
import pytest
from dagster import DagsterInstance, ExecuteInProcessResult
from fixtures.marts import marts_rows

from ingestion.platform.embedded import SUPERUSER, EmbeddedServer
from ingestion.platform.paths import PROJECT_ROOT
from ingestion.platform.warehouse_url import (
    drop_database,
    ensure_database,
    export_environment,
    with_database,
)

# This session's own dbt target folder (manifest, partial-parse file, kept parses, each dbt
# invocation's folder): dbt, dagster-dbt and orchestration/resources.py all read DBT_TARGET_PATH,
# and pipelines started as subprocesses inherit it. Sessions side by side (CI runs `make test` and
# `make test-slow` at once) never write each other's manifest. Under dbt_project/target, so
# tests/faults/test_secrets.py searches it; removed at the end, as are those of ended sessions.
SESSION_TARGETS = PROJECT_ROOT / "dbt_project" / "target"
os.environ["DBT_TARGET_PATH"] = str(SESSION_TARGETS / f"test-session-{os.getpid()}")


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def pytest_sessionstart(session: pytest.Session) -> None:
    for folder in SESSION_TARGETS.glob("test-session-*"):
        pid = folder.name.rsplit("-", 1)[-1]
        if pid.isdigit() and int(pid) != os.getpid() and not _alive(int(pid)):
            shutil.rmtree(folder, ignore_errors=True)


def pytest_sessionfinish(session: pytest.Session) -> None:
    shutil.rmtree(os.environ["DBT_TARGET_PATH"], ignore_errors=True)


# Fixtures that start or reach a real PostgreSQL server: a test using one of them, directly or
# through another fixture, is marked `needs_db`; `make test-fast` runs the others (pure Python).
DB_FIXTURES = frozenset({"warehouse_url", "trust_socket_url", "own_server"})


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Mark every test that needs the database, from the fixtures it uses (see `DB_FIXTURES`)."""
    for item in items:
        if DB_FIXTURES.intersection(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.needs_db)


def _server_url() -> str:
    url = os.environ.get("WAREHOUSE_URL")
    if url:
        return url
    server = EmbeddedServer()
    server.start()
    return server.url()


@pytest.fixture(scope="session")
def warehouse_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A fresh warehouse database; the environment points every component at it."""
    server_url = _server_url()
    admin_url = with_database(server_url, "postgres")
    name = f"spw_test_{uuid.uuid4().hex[:10]}"
    names = [name, f"{name}_orders"]
    for database in names:
        ensure_database(admin_url, database)
    state = tmp_path_factory.mktemp("state")
    saved = dict(os.environ)
    os.environ["WAREHOUSE_URL"] = with_database(server_url, name)
    os.environ["DEMO_ORDERS_URL"] = with_database(server_url, f"{name}_orders")
    os.environ["SPW_STATE_DIR"] = str(state)
    os.environ["DAGSTER_HOME"] = str(state / "dagster")
    Path(os.environ["DAGSTER_HOME"]).mkdir()
    export_environment()
    try:
        yield os.environ["WAREHOUSE_URL"]
    finally:
        os.environ.clear()
        os.environ.update(saved)
        for database in names:
            drop_database(admin_url, database)


@pytest.fixture
def scratch_database(warehouse_url: str) -> Iterator[str]:
    """An empty database on the test server for one test (a source, a build), dropped after."""
    admin = with_database(warehouse_url, "postgres")
    name = f"spw_source_{uuid.uuid4().hex[:8]}"
    ensure_database(admin, name)
    try:
        yield with_database(warehouse_url, name)
    finally:
        drop_database(admin, name)


@pytest.fixture
def query(warehouse_url: str):
    """Run SQL on the test warehouse and return all rows."""

    def run(sql: str, params: tuple | dict | None = None) -> list[tuple]:
        with psycopg2.connect(warehouse_url) as conn, conn.cursor() as cur:
            cur.execute(sql, params)
            return cur.fetchall() if cur.description else []

    return run


@pytest.fixture(scope="session")
def tiny_company(warehouse_url: str, tmp_path_factory: pytest.TempPathFactory):
    """The tiny company's sources (tests/fixtures/README.md), with dlt's config pointing at them."""
    from fixtures.tiny_company import tiny_company_sources

    workdir = tmp_path_factory.mktemp("tiny_company")
    with tiny_company_sources(os.environ["DEMO_ORDERS_URL"], workdir) as environment:
        os.environ.update(environment)
        yield environment


@pytest.fixture(scope="session")
def incentive_template(
    warehouse_url: str, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[str, str]]:
    """The tiny company loaded and its incentive marts built once, in a template pair of
    databases (warehouse, orders) that the month-end tests copy (`fixtures.incentive_warehouse`)."""
    from fixtures.incentive_warehouse import PLANS, template_databases

    with template_databases(
        warehouse_url, tmp_path_factory.mktemp("incentives_template"), PLANS
    ) as names:
        yield names


class PipelineRun(NamedTuple):
    """The pipeline job's run on the tiny company and every mart's rows right after it."""

    result: ExecuteInProcessResult
    marts: dict[str, list[tuple]]


def _run_pipeline_job() -> ExecuteInProcessResult:
    from orchestration.definitions import defs
    from orchestration.defs.jobs import PIPELINE_JOB_NAME

    job = defs.resolve_job_def(PIPELINE_JOB_NAME)
    with DagsterInstance.ephemeral() as instance:
        return job.execute_in_process(instance=instance, raise_on_error=False)


@pytest.fixture(scope="session")
def pipeline_run(warehouse_url: str, tiny_company: dict[str, str]) -> PipelineRun:
    """Run the pipeline job once on the tiny company, as `make pipeline` does."""
    result = _run_pipeline_job()
    return PipelineRun(result, marts_rows(warehouse_url))


@pytest.fixture(scope="session")
def pipeline_rerun(pipeline_run: PipelineRun) -> ExecuteInProcessResult:
    """The pipeline job once more on the same warehouse, a night with nothing new: its result.
    Only the idempotence tests ask for it (tests/orchestration/test_pipeline.py), so a session
    without them (the slow suites, the Spark suite) runs the job once."""
    return _run_pipeline_job()


@pytest.fixture
def marts_snapshot(warehouse_url: str):
    """Take a snapshot of every mart's rows (see `fixtures.marts.marts_rows`)."""
    return lambda: marts_rows(warehouse_url)


@pytest.fixture(scope="session")
def trust_socket_url() -> Iterator[str]:
    """A second real PostgreSQL server listening only on a Unix socket and trusting its local
    users: the URL it yields (`postgresql://postgres@/postgres?host=/path`) has no password and
    no TCP host, as a `WAREHOUSE_URL` for a server set up with peer/trust auth or `.pgpass`."""
    # a socket path must stay under 108 bytes: a short folder of its own, not pytest's tmp_path
    home = Path(tempfile.mkdtemp(prefix="spw-sock-"))
    server = EmbeddedServer(home)
    server._give_to_os_user(home)
    pgdata, socket_dir = home / "pgdata", home
    initdb = [server._bin("initdb"), "-D", str(pgdata), "-U", SUPERUSER, "--auth=trust"]
    server._run([*initdb, "--encoding=UTF8", "--locale=C"])
    options = f"-c listen_addresses='' -c unix_socket_directories='{socket_dir}' -p 5432"
    pg_ctl = [server._bin("pg_ctl"), "-D", str(pgdata), "-w", "-t", "60"]
    server._run([*pg_ctl, "-l", str(home / "postgres.log"), "-o", options, "start"])
    try:
        yield f"postgresql://{SUPERUSER}@/postgres?host={socket_dir}"
    finally:
        server._run([*pg_ctl, "-m", "immediate", "stop"])
        shutil.rmtree(home, ignore_errors=True)
