"""The fault tests' harness: warehouses the tests may break, and pipeline subprocesses.

`FaultWarehouse` is a database with its own state folder (dlt working folders) and Dagster home,
on a server these tests own when they must restart it (`EmbeddedServer(home=...)` in a temporary
folder), and logged in as a role whose password is a sentinel string, so every artifact can be
searched for it afterwards (`test_secrets.py`). Pipelines run as real subprocesses,
`python -m orchestration.run_pipeline`, in their own process group so `kill -9` takes dbt with
them; `hooks/sitecustomize.py` can pause one at a named point first.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import psycopg2
from psycopg2 import sql

from ingestion.platform.embedded import EmbeddedServer
from ingestion.platform.paths import PROJECT_ROOT
from ingestion.platform.warehouse_url import drop_database, ensure_database, with_database

HOOKS = Path(__file__).parent / "hooks"
# A run of the demo pipeline takes 1-3 minutes on 2 busy cores; these bound every wait.
RUN_TIMEOUT_S = 900
REACH_TIMEOUT_S = 600
SENTINEL_USER = "spw_fault_sentinel"
# Searched for in every artifact: it must never be written anywhere.
SENTINEL_PASSWORD = f"sentinel-pw-{uuid.uuid4().hex}"
SENTINEL_TOKEN = f"sentinel-token-{uuid.uuid4().hex}"


@dataclass
class PipelineRun:
    """One pipeline subprocess: its exit code (negative = killed by that signal) and output."""

    process: subprocess.Popen[str]
    log: Path
    fault_dir: Path

    def wait(self, timeout: float = RUN_TIMEOUT_S) -> int:
        try:
            return self.process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.kill()
            raise

    def kill(self) -> int:
        """`kill -9` of the pipeline's whole process group (the pipeline and its dbt child)."""
        os.killpg(self.process.pid, signal.SIGKILL)
        return self.process.wait(timeout=60)

    def wait_until_paused(self, point: str, timeout: float = REACH_TIMEOUT_S) -> None:
        marker = self.fault_dir / f"{point}.reached"
        deadline = time.monotonic() + timeout
        while not marker.exists():
            if self.process.poll() is not None:
                raise AssertionError(f"the run ended before reaching {point}:\n{self.output()}")
            if time.monotonic() > deadline:
                self.kill()
                raise AssertionError(f"the run never reached {point}:\n{self.output()}")
            time.sleep(0.5)

    def resume(self, point: str) -> None:
        (self.fault_dir / f"{point}.resume").touch()

    def wait_for_line(self, needle: str, timeout: float = REACH_TIMEOUT_S) -> str:
        """Block until the run's output has a line containing `needle`; return that line."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for line in self.output().splitlines():
                if needle in line:
                    return line
            if self.process.poll() is not None:
                break
            time.sleep(0.3)
        raise AssertionError(f"no line with {needle!r} in the run's output:\n{self.output()}")

    def output(self) -> str:
        return self.log.read_text(errors="replace")


@dataclass
class FaultWarehouse:
    """A warehouse database, the demo orders database beside it, and a pipeline's local state."""

    admin_url: str
    name: str
    work: Path
    runs: list[PipelineRun] = field(default_factory=list)
    # dlt's configuration pointing at the scenario's sources (`SOURCES__...` variables)
    sources: dict[str, str] = field(default_factory=dict)

    @property
    def url(self) -> str:
        return with_database(self.admin_url, self.name)

    @property
    def sentinel_url(self) -> str:
        """The warehouse as the sentinel login (what the pipeline subprocesses use)."""
        host_part = self.admin_url.split("@", 1)[1].rsplit("/", 1)[0]
        return f"postgresql://{SENTINEL_USER}:{SENTINEL_PASSWORD}@{host_part}/{self.name}"

    @property
    def state_dir(self) -> Path:
        return self.work / "state"

    def environment(self, pause: str | None, fault_dir: Path) -> dict[str, str]:
        env = {
            key: value
            for key, value in os.environ.items()
            if not key.startswith(("WAREHOUSE_", "SPW_", "DEMO_", "DAGSTER_", "SOURCES__"))
        }
        env.update(self.sources)
        env.update(
            WAREHOUSE_URL=self.sentinel_url,
            SPW_STATE_DIR=str(self.state_dir),
            DAGSTER_HOME=str(self.state_dir / "dagster"),
            PYTHONPATH=os.pathsep.join(filter(None, [str(HOOKS), env.get("PYTHONPATH")])),
            SPW_FAULT_DIR=str(fault_dir),
        )
        if pause:
            env["SPW_FAULT_PAUSE"] = pause
        return env

    def start(
        self,
        *,
        pause: str | None = None,
        module: str = "orchestration.run_pipeline",
        args: tuple[str, ...] = (),
        extra_env: dict[str, str] | None = None,
    ) -> PipelineRun:
        """Start `python -m <module>` against this warehouse, output to a log file."""
        number = len(self.runs) + 1
        fault_dir = self.work / f"run{number}"
        fault_dir.mkdir()
        log = self.work / "logs" / f"run{number}-{module.rsplit('.', 1)[-1]}.log"
        env = self.environment(pause, fault_dir) | (extra_env or {})
        with log.open("w") as out:
            process = subprocess.Popen(
                [sys.executable, "-m", module, *args],
                cwd=PROJECT_ROOT,
                env=env,
                stdout=out,
                stderr=subprocess.STDOUT,
                text=True,
                start_new_session=True,
            )
        run = PipelineRun(process=process, log=log, fault_dir=fault_dir)
        self.runs.append(run)
        return run

    def run(self, **kwargs: object) -> PipelineRun:
        """Run to the end; the caller checks `returncode`."""
        run = self.start(**kwargs)  # type: ignore[arg-type]
        run.wait()
        return run

    def query(self, statement: str | sql.Composable, params: tuple | None = None) -> list[tuple]:
        with psycopg2.connect(self.url) as conn, conn.cursor() as cur:
            cur.execute(statement, params)
            return cur.fetchall() if cur.description else []


# Every warehouse the fault tests made in this session, so `test_secrets.py` can search what their
# runs left behind.
CREATED: list[FaultWarehouse] = []


@contextmanager
def fault_warehouse(server_url: str, work: Path) -> Iterator[FaultWarehouse]:
    """Databases for one fault scenario, the sentinel login, the state folders, and the tiny
    company's sources (tests/fixtures/README.md) served for as long as the block runs."""
    from fixtures.tiny_company import tiny_company_sources

    admin_url = with_database(server_url, "postgres")
    name = f"spw_fault_{uuid.uuid4().hex[:10]}"
    for database in (name, f"{name}_orders"):
        ensure_database(admin_url, database)
    conn = psycopg2.connect(admin_url)
    conn.autocommit = True
    with conn, conn.cursor() as cur:
        cur.execute("select 1 from pg_roles where rolname = %s", (SENTINEL_USER,))
        verb = "alter" if cur.fetchone() else "create"
        cur.execute(
            sql.SQL("{} role {} login superuser password {}").format(
                sql.SQL(verb), sql.Identifier(SENTINEL_USER), sql.Literal(SENTINEL_PASSWORD)
            )
        )
    conn.close()
    for folder in ("logs", "sources", "state/dagster"):
        (work / folder).mkdir(parents=True)
    warehouse = FaultWarehouse(admin_url=admin_url, name=name, work=work)
    shutil.copy(PROJECT_ROOT / "dagster.yaml", warehouse.state_dir / "dagster" / "dagster.yaml")
    CREATED.append(warehouse)
    orders_url = with_database(warehouse.sentinel_url, f"{name}_orders")
    try:
        with tiny_company_sources(orders_url, work / "sources", token=SENTINEL_TOKEN) as sources:
            warehouse.sources = sources
            yield warehouse
    finally:
        for run in warehouse.runs:
            if run.process.poll() is None:
                run.kill()
        for database in (name, f"{name}_orders"):
            drop_database(admin_url, database)


def restart_on_same_port(server: EmbeddedServer) -> None:
    """Stop the server and start it again on its port (so URLs stay valid)."""
    port = server.port
    server.stop()
    saved = os.environ.get("WAREHOUSE_PORT")
    os.environ["WAREHOUSE_PORT"] = str(port)
    try:
        server.start()
    finally:
        if saved is None:
            os.environ.pop("WAREHOUSE_PORT")
        else:
            os.environ["WAREHOUSE_PORT"] = saved
    assert server.port == port


def raw_tables(warehouse: FaultWarehouse) -> list[tuple[str, str]]:
    """Every data table dlt loaded (`raw_*` schemas, not dlt's own `_dlt_*` tables)."""
    return [
        (schema, table)
        for schema, table in warehouse.query(
            "select table_schema, table_name from information_schema.tables"
            " where table_schema like 'raw\\_%%' and table_schema not like '%%\\_staging'"
            " and table_name not like '\\_dlt\\_%%' and table_type = 'BASE TABLE' order by 1, 2"
        )
    ]


def primary_keys(warehouse: FaultWarehouse, schema: str) -> dict[str, list[str]]:
    """Each table's primary key as dlt declared it (the newest stored dlt schema)."""
    rows = warehouse.query(
        sql.SQL("select schema from {}._dlt_version order by inserted_at desc limit 1").format(
            sql.Identifier(schema)
        )
    )
    tables = json.loads(rows[0][0])["tables"]
    return {
        name: [column for column, hints in table["columns"].items() if hints.get("primary_key")]
        for name, table in tables.items()
        if any(hints.get("primary_key") for hints in table["columns"].values())
    }


def key_counts(warehouse: FaultWarehouse) -> dict[tuple[str, str], tuple[int, int]]:
    """`(count(*), count(distinct primary key))` of every raw table that has a primary key."""
    tables = raw_tables(warehouse)
    counts = {}
    for schema in sorted({schema for schema, _ in tables}):
        for table, key in primary_keys(warehouse, schema).items():
            if (schema, table) in tables:
                (counts[schema, table],) = warehouse.query(
                    sql.SQL("select count(*), count(distinct ({})) from {}").format(
                        sql.SQL(", ").join(map(sql.Identifier, key)),
                        sql.Identifier(schema, table),
                    )
                )
    return counts


def rows_of_unfinished_loads(warehouse: FaultWarehouse) -> dict[tuple[str, str], int]:
    """Per raw table, the rows that do not belong to a completed load (status 0): a root table's
    rows by their `_dlt_load_id`; a nested table's (`parent__child`, no load id of its own) by
    their root row, which must exist and be of a completed load."""
    counts = {}
    for schema, table in raw_tables(warehouse):
        columns = {
            name
            for (name,) in warehouse.query(
                "select column_name from information_schema.columns"
                " where table_schema = %s and table_name = %s",
                (schema, table),
            )
        }
        loads = sql.Identifier(schema, "_dlt_loads")
        if "_dlt_load_id" in columns:
            check = sql.SQL(
                "select count(*) from {} as t where not exists (select from {} as l"
                " where l.load_id = t._dlt_load_id and l.status = 0)"
            ).format(sql.Identifier(schema, table), loads)
        else:
            root = sql.Identifier(schema, table.split("__")[0])
            check = sql.SQL(
                "select count(*) from {} as t where not exists (select from {} as r"
                " join {} as l on l.load_id = r._dlt_load_id and l.status = 0"
                " where r._dlt_id = t._dlt_root_id)"
            ).format(sql.Identifier(schema, table), root, loads)
        ((counts[schema, table],),) = warehouse.query(check)
    return counts
