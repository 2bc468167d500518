"""The benchmark's own world: a separate embedded PostgreSQL, state folder and Dagster home.

Everything lives under `.state/bench/<scale>/` (or `$BENCH_HOME/<scale>/`), so a benchmark never
touches the user's demo warehouse, demo state or Dagster runs. The demo company is built there at
the chosen scale; its CRM server runs as a child of the benchmark and stops with it.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

from bench.process import ProcessRun, measure
from ingestion.demo.crm_service import _answers
from ingestion.platform.embedded import EmbeddedServer
from ingestion.platform.paths import PROJECT_ROOT
from ingestion.platform.warehouse_url import (
    DATABASE,
    connection_environment,
    drop_database,
    ensure_database,
    with_database,
)

BENCH_ROOT = Path(os.environ.get("BENCH_HOME") or PROJECT_ROOT / ".state" / "bench")
# `python -m ingestion.demo build --scale N`: 80 makes over 200,000 deals and 1,000,000 order lines
# up to today (the generator's own note), 8 a tenth of that. The 2026-11-23 results used 7 and 70
# (92,969 and 965,465 order lines). XL is ten L companies side by side (`ingestion.demo.shards`),
# generated one after the other in the memory of one L company (`SHARD_JOBS` 2 would halve the
# wall time on a quiet machine with twice the memory); S2, two S companies side by side, tries the
# sharded demo end to end at a small scale (tests/ingestion/test_demo_shards.py).
SCALES = {"S": 8.0, "L": 80.0, "XL": 800.0, "S2": 16.0}
SHARDS = {"XL": 10, "S2": 2}
SHARD_JOBS = 1
DEMO_SEED = 7
# Disk a scale's benchmark fills, with room to spare, in GiB. XL on 2026-12-04: the warehouse
# database reached 60 GB after the pipeline from empty (the commission lines alone about 30 GB:
# the store, the intermediate and audit copies, the published mart), the demo's orders database
# and stored CRM 6.4 GB, the dlt files 3.4 GB, and the demo's month closing then ran out of the
# 80 GB that were free. L and S are a tenth and a hundredth of it.
DISK_NEEDED_GIB = {"S": 3, "S2": 5, "L": 15, "XL": 120}
DEMO_ORDERS_DATABASE = "demo_orders"


def folder_bytes(folder: Path) -> int:
    """Bytes of the files under `folder` (a file removed while walking counts nothing)."""
    total = 0
    for root, _, names in os.walk(folder):
        for name in names:
            with contextlib.suppress(FileNotFoundError):
                total += (Path(root) / name).lstat().st_size
    return total


def say(message: str) -> None:
    """Progress on stderr, with the wall clock, so a long run shows where it is."""
    print(f"bench {time.strftime('%H:%M:%S')}: {message}", file=sys.stderr, flush=True)


@dataclass
class BenchEnvironment:
    """The isolated warehouse, demo sources and state of one benchmark scale."""

    scale: str
    home: Path = field(default=Path())  # default: `.state/bench/<scale>/`
    server: EmbeddedServer = field(init=False)
    _crm: subprocess.Popen | None = field(default=None, init=False)

    def __post_init__(self) -> None:
        if self.home == Path():
            self.home = BENCH_ROOT / self.scale
        self.server = EmbeddedServer(home=self.home / "warehouse")

    @property
    def shards(self) -> int:
        """Companies side by side (`ingestion.demo.shards`); 1: the demo company itself."""
        return SHARDS.get(self.scale, 1)

    @property
    def url(self) -> str:
        return self.server.url(DATABASE)

    @property
    def orders_url(self) -> str:
        return self.server.url(DEMO_ORDERS_DATABASE)

    @property
    def state_dir(self) -> Path:
        return self.home / "state"

    @property
    def dagster_home(self) -> Path:
        return self.home / "dagster"

    def variables(self) -> dict[str, str]:
        """What every component reads to find the benchmark's warehouse instead of the user's."""
        return {
            **connection_environment(self.url),
            "DEMO_ORDERS_URL": self.orders_url,
            "SPW_STATE_DIR": str(self.state_dir),
            "DAGSTER_HOME": str(self.dagster_home),
        }

    def check_disk(self) -> None:
        """Fail before hours of work when the disk cannot hold this scale (what the benchmark
        already holds there counts as room: it is rebuilt in place)."""
        self.home.mkdir(parents=True, exist_ok=True)
        needed = DISK_NEEDED_GIB.get(self.scale, 0) * 2**30
        room = shutil.disk_usage(self.home).free + folder_bytes(self.home)
        if room < needed:
            raise SystemExit(
                f"bench: scale {self.scale} needs about {needed / 2**30:.0f} GiB of disk under"
                f" {self.home}; {room / 2**30:.0f} GiB can be had there. Free space on that"
                " disk, or set BENCH_HOME to a folder on a larger one."
            )

    def start(self) -> None:
        """Start the benchmark's server and point this process's environment at it."""
        self.check_disk()
        self.server.start()
        os.environ.update(self.variables())
        self.dagster_home.mkdir(parents=True, exist_ok=True)
        self.run([sys.executable, "-m", "orchestration.instance"], quiet=True)
        say(f"warehouse on 127.0.0.1:{self.server.port}, data in {self.home}")

    def run(self, argv: list[str], quiet: bool = False) -> subprocess.CompletedProcess[str]:
        """Run a command in the project with the benchmark's environment; fail loudly."""
        result = subprocess.run(
            argv,
            cwd=PROJECT_ROOT,
            env={**os.environ, **self.variables()},
            capture_output=True,
            text=True,
        )
        if result.returncode != 0:
            raise RuntimeError(
                f"`{' '.join(argv)}` failed ({result.returncode}):\n"
                f"{result.stdout[-4000:]}\n{result.stderr[-4000:]}"
            )
        if not quiet and result.stderr.strip():
            print(result.stderr.strip(), file=sys.stderr, flush=True)
        return result

    def build_demo(self) -> ProcessRun:
        """The demo company at this scale, rebuilt from its seed so every benchmark starts equal;
        the generator's wall time and peak memory."""
        self.stop_crm()
        shutil.rmtree(self.state_dir / "demo", ignore_errors=True)
        build = ["ingestion.demo", "build", "--rebuild", "--no-server", "--seed", str(DEMO_SEED)]
        build += ["--scale", str(SCALES[self.scale] / self.shards)]
        if self.shards > 1:
            build += ["--shards", str(self.shards), "--jobs", str(SHARD_JOBS)]
        return self._generate(build)

    def _generate(self, module_argv: list[str]) -> ProcessRun:
        log = self.home / "demo-build.log"
        run = measure(
            [sys.executable, "-m", *module_argv],
            cwd=PROJECT_ROOT,
            env={**os.environ, **self.variables()},
            log=log,
        )
        if run.returncode != 0:
            raise RuntimeError(f"building the demo failed: see {log}")
        return run

    def run_pipeline(self, log_name: str) -> ProcessRun:
        """`make pipeline`'s job once (`python -m orchestration.run_pipeline`), timed with the peak
        memory of its process tree; its output goes to `log_name` in the benchmark's home."""
        log = self.home / log_name
        run = measure(
            [sys.executable, "-m", "orchestration.run_pipeline"],
            cwd=PROJECT_ROOT,
            env=self.variables(),
            log=log,
        )
        if run.returncode != 0:
            raise RuntimeError(f"the pipeline failed: see {log}")
        return run

    def advance_demo(self, days: int) -> None:
        """Move the demo clock: new orders and leads, moved deals (the CRM server follows)."""
        command = [sys.executable, "-m", "ingestion.demo", "advance", "--days", str(days)]
        self.run(command + ["--jobs", str(SHARD_JOBS)])

    def reset_warehouse(self) -> None:
        """An empty warehouse database and no dlt or Dagster state: the next load is a first one.

        The demo orders database (the source) stays as it is.
        """
        admin = with_database(self.url, "postgres")
        drop_database(admin, DATABASE)
        ensure_database(admin, DATABASE)
        shutil.rmtree(self.state_dir / "dlt", ignore_errors=True)
        for folder in ("storage", "history", "schedules", "logs"):
            shutil.rmtree(self.dagster_home / folder, ignore_errors=True)
        for name in ("runs.db", "schedules.db"):
            (self.dagster_home / name).unlink(missing_ok=True)

    def has_marts(self) -> bool:
        """Whether a pipeline has built the marts (the later steps need them)."""
        import psycopg

        with psycopg.connect(self.url) as conn:
            found = conn.execute("select to_regclass('marts.fct_orders')").fetchone()[0]
        return found is not None

    def start_crm(self, timeout_s: float = 600) -> tuple[str, str]:
        """Serve the demo CRM of this scale; return its URL and token."""
        endpoint_file = self.state_dir / "demo" / "crm_server.json"
        endpoint_file.unlink(missing_ok=True)
        log = open(self.home / "crm.log", "ab")  # noqa: SIM115 (open for the child's life)
        self._crm = subprocess.Popen(
            [sys.executable, "-m", "ingestion.demo.crm_service"],
            cwd=PROJECT_ROOT,
            env={**os.environ, **self.variables()},
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        log.close()
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            if self._crm.poll() is not None:
                raise RuntimeError(f"the demo CRM server exited: see {self.home / 'crm.log'}")
            if endpoint_file.exists():
                endpoint = json.loads(endpoint_file.read_text())
                if _answers(endpoint["url"], endpoint["token"]):
                    return endpoint["url"], endpoint["token"]
            time.sleep(0.5)
        raise RuntimeError(f"the demo CRM server did not answer: see {self.home / 'crm.log'}")

    def stop_crm(self) -> None:
        if self._crm is not None and self._crm.poll() is None:
            self._crm.terminate()
            try:
                self._crm.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self._crm.kill()
        self._crm = None

    def restart_server(self) -> None:
        """Stop and start PostgreSQL: its shared buffers are empty afterwards (a cold server)."""
        self.server.stop()
        self.server.start()
        os.environ.update(self.variables())

    def stop(self) -> None:
        self.stop_crm()
        self.server.stop()
