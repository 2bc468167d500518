"""The embedded PostgreSQL in `.warehouse/`: a development tool for when `WAREHOUSE_URL` is unset.

Every component (dlt, dbt, Great Expectations, Dagster, Streamlit) reads one environment variable,
`WAREHOUSE_URL` (`ingestion.platform.warehouse_url`). When it is unset, `make` starts a real
PostgreSQL server from the binaries the `pgserver` wheel ships, with its data in the
project-local `.warehouse/` folder, listening on 127.0.0.1 only, and exports its URL. The server
outlives the command that started it, so later commands reuse it; `make stop` stops it.

Command line (used by the Makefile)::

    python -m ingestion.platform start   # start (or reuse) the embedded server
    python -m ingestion.platform url     # print the URL to use (WAREHOUSE_URL wins)
    python -m ingestion.platform stop    # stop the embedded server
    python -m ingestion.platform status
    python -m ingestion.platform exec -- dbt build   # run a command with the URL exported
"""

from __future__ import annotations

import importlib.util
import os
import pwd
import secrets
import socket
import stat
import subprocess
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

from ingestion.platform.paths import PROJECT_ROOT
from ingestion.platform.warehouse_url import DATABASE, DEFAULT_USER, WarehouseError, ensure_database

DEFAULT_HOME = PROJECT_ROOT / ".warehouse"
DEFAULT_PORT = 55432
SUPERUSER = DEFAULT_USER
OS_USER = "pgserver"
# Settings for a single-machine analytical workload; durability settings stay at their defaults.
SERVER_SETTINGS = {
    "listen_addresses": "127.0.0.1",
    "unix_socket_directories": "",
    "shared_buffers": "512MB",
    "work_mem": "64MB",
    "maintenance_work_mem": "512MB",
    "max_wal_size": "4GB",
    "max_connections": "200",
    "log_min_messages": "warning",
}


@dataclass(frozen=True)
class EmbeddedServer:
    """A PostgreSQL data directory under `home`, run by the binaries of the pgserver wheel."""

    home: Path = DEFAULT_HOME

    @property
    def pgdata(self) -> Path:
        return self.home / "pgdata"

    @property
    def log_file(self) -> Path:
        return self.home / "postgres.log"

    @property
    def _password_file(self) -> Path:
        return self.home / "superuser.password"

    @property
    def _port_file(self) -> Path:
        return self.home / "port"

    @property
    def _lock_file(self) -> Path:
        """PostgreSQL's own lock file: the server's process id and port while it runs."""
        return self.pgdata / "postmaster.pid"

    @staticmethod
    def _bin(name: str) -> str:
        spec = importlib.util.find_spec("pgserver")
        if spec is None or not spec.submodule_search_locations:
            raise WarehouseError("the pgserver package is missing: run `make install`")
        return str(Path(spec.submodule_search_locations[0]) / "pginstall" / "bin" / name)

    @staticmethod
    def _os_user() -> str | None:
        """PostgreSQL refuses to run as root; then it runs as the unprivileged `pgserver` user."""
        if os.geteuid() != 0:
            return None
        try:
            pwd.getpwnam(OS_USER)
        except KeyError:
            subprocess.run(["useradd", "--no-create-home", OS_USER], check=True)
        return OS_USER

    def _run(self, args: list[str], timeout: float = 120) -> subprocess.CompletedProcess[str]:
        user = self._os_user()
        if user:
            _let_others_traverse(Path(args[0]).parent)
            _let_others_traverse(self.home)
        # Drop root's groups too: a folder's group bits would otherwise apply instead of others'.
        identity = {"user": user, "group": user, "extra_groups": []} if user else {}
        result = subprocess.run(
            args, capture_output=True, text=True, timeout=timeout, cwd=self.home, **identity
        )
        if result.returncode != 0:
            raise WarehouseError(
                f"{Path(args[0]).name} failed ({result.returncode}): "
                f"{result.stderr.strip() or result.stdout.strip()}\n"
                f"See {self.log_file} for the server log."
            )
        return result

    def _give_to_os_user(self, path: Path) -> None:
        user = self._os_user()
        if user:
            entry = pwd.getpwnam(user)
            os.chown(path, entry.pw_uid, entry.pw_gid)

    def is_initialised(self) -> bool:
        return (self.pgdata / "PG_VERSION").exists()

    def is_running(self) -> bool:
        """Whether this data directory's own server is up on the recorded port. Another server
        answering on that port (the recorded port reused while this one was stopped) is not it:
        the lock file PostgreSQL writes in the data directory must name a live process and the
        same port."""
        if not self.is_initialised() or not self._port_file.exists():
            return False
        if _locked_port(self._lock_file) != self.port:
            return False
        result = subprocess.run(
            [self._bin("pg_isready"), "-h", "127.0.0.1", "-p", str(self.port), "-t", "2"],
            capture_output=True,
        )
        return result.returncode == 0

    @property
    def port(self) -> int:
        return int(self._port_file.read_text().strip())

    @property
    def password(self) -> str:
        return self._password_file.read_text().strip()

    def url(self, database: str = DATABASE) -> str:
        return (
            f"postgresql://{SUPERUSER}:{quote(self.password, safe='')}"
            f"@127.0.0.1:{self.port}/{database}"
        )

    def init(self) -> None:
        """Create the data directory with password authentication over TCP."""
        self.home.mkdir(parents=True, exist_ok=True)
        self._give_to_os_user(self.home)
        self._password_file.write_text(secrets.token_urlsafe(24) + "\n")
        self._password_file.chmod(0o644 if self._os_user() else 0o600)
        self._run(
            [
                self._bin("initdb"),
                "-D",
                str(self.pgdata),
                "-U",
                SUPERUSER,
                "--encoding=UTF8",
                "--locale=C",
                "--auth-local=trust",
                "--auth-host=scram-sha-256",
                f"--pwfile={self._password_file}",
            ]
        )
        self._password_file.chmod(0o600)
        if self._os_user():
            self._give_to_os_user(self._password_file)

    def start(self) -> None:
        """Start the server (initialising it on first use) and create the warehouse database."""
        if self.is_running():
            return
        if not self.is_initialised():
            self.init()
        port = _free_port(int(os.environ.get("WAREHOUSE_PORT", DEFAULT_PORT)))
        options = " ".join(f"-c {key}={value!r}" for key, value in SERVER_SETTINGS.items())
        self._run(
            [
                self._bin("pg_ctl"),
                "-D",
                str(self.pgdata),
                "-l",
                str(self.log_file),
                "-w",
                "-t",
                "60",
                "-o",
                f"-p {port} {options}",
                "start",
            ]
        )
        self._port_file.write_text(f"{port}\n")
        ensure_database(self.url("postgres"), DATABASE)

    def stop(self) -> None:
        if not self.is_initialised():
            return
        if self._lock_file.exists():
            self._run([self._bin("pg_ctl"), "-D", str(self.pgdata), "-m", "fast", "-w", "stop"])


def _locked_port(lock_file: Path) -> int | None:
    """The port in a data directory's `postmaster.pid` when its process is alive, else None."""
    try:
        lines = lock_file.read_text().splitlines()
        pid, port = int(lines[0]), int(lines[3])
    except (OSError, IndexError, ValueError):
        return None
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return None
    except PermissionError:
        pass  # alive, run by the server's own OS user
    return port


def _let_others_traverse(path: Path) -> None:
    """Add the search bit for others on every folder above `path` (a checkout in a private
    temporary folder, as CI makes, would otherwise hide the binaries from the server's user)."""
    for folder in [path, *path.parents]:
        mode = folder.stat().st_mode
        if not mode & stat.S_IXOTH:
            folder.chmod(mode | stat.S_IXOTH)


def _free_port(preferred: int) -> int:
    """The preferred port when it is free, else any free port on 127.0.0.1.

    Like PostgreSQL's own listener, the probe sets SO_REUSEADDR: a port whose last connections
    are still in TIME_WAIT (a server just stopped) is free for the server, and is reused.
    """
    for candidate in (preferred, 0):
        with socket.socket() as sock:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            try:
                sock.bind(("127.0.0.1", candidate))
            except OSError:
                continue
            return sock.getsockname()[1]
    raise WarehouseError("no free TCP port on 127.0.0.1 for the embedded warehouse")
