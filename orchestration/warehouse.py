"""The warehouse connection: `WAREHOUSE_URL`, or an embedded PostgreSQL in `.warehouse/`.

Every component (dlt, dbt, Great Expectations, Dagster, Streamlit) reads one environment variable,
`WAREHOUSE_URL`. When it is unset, `make` starts a real PostgreSQL server from the binaries the
`pgserver` wheel ships, with its data in the project-local `.warehouse/` folder, listening on
127.0.0.1 only, and exports its URL. The server outlives the command that started it, so later
commands reuse it; `make stop` stops it.

Command line (used by the Makefile)::

    python -m orchestration.warehouse start   # start (or reuse) the embedded server
    python -m orchestration.warehouse url     # print the URL to use (WAREHOUSE_URL wins)
    python -m orchestration.warehouse stop    # stop the embedded server
    python -m orchestration.warehouse status
    python -m orchestration.warehouse exec -- dbt build   # run a command with the URL exported
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import pwd
import secrets
import shutil
import socket
import stat
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote, unquote, urlsplit, urlunsplit

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_HOME = PROJECT_ROOT / ".warehouse"
DEFAULT_PORT = 55432
DATABASE = "warehouse"
SUPERUSER = "postgres"
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


class WarehouseError(RuntimeError):
    """The warehouse could not be started or reached; the message says what to do next."""


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


def ensure_database(admin_url: str, name: str) -> None:
    """Create database `name` on the server behind `admin_url` if it does not exist yet."""
    import psycopg2
    from psycopg2 import sql

    conn = psycopg2.connect(admin_url)
    conn.autocommit = True
    try:
        with conn.cursor() as cur:
            cur.execute("select 1 from pg_database where datname = %s", (name,))
            if cur.fetchone() is None:
                cur.execute(sql.SQL("create database {}").format(sql.Identifier(name)))
    finally:
        conn.close()


def drop_database(admin_url: str, name: str) -> None:
    """Drop database `name`, ending any sessions still connected to it."""
    import psycopg2
    from psycopg2 import sql

    conn = psycopg2.connect(admin_url)
    conn.autocommit = True
    try:
        with conn.cursor() as cur:
            cur.execute(
                sql.SQL("drop database if exists {} with (force)").format(sql.Identifier(name))
            )
    finally:
        conn.close()


def with_database(url: str, database: str) -> str:
    """The same server URL pointing at another database."""
    parts = urlsplit(url)
    return urlunsplit(parts._replace(path=f"/{database}"))


def warehouse_url() -> str:
    """`WAREHOUSE_URL` when set, else the URL of the running embedded server."""
    url = os.environ.get("WAREHOUSE_URL")
    if url:
        if not url.startswith(("postgresql://", "postgres://", "postgresql+psycopg2://")):
            raise WarehouseError("WAREHOUSE_URL must be a postgresql:// URL")
        return url
    server = EmbeddedServer()
    if not server.is_running():
        raise WarehouseError(
            "WAREHOUSE_URL is not set and the embedded warehouse is not running: "
            "run `make warehouse` (or any make target) to start it."
        )
    return server.url()


def connection_environment(url: str) -> dict[str, str]:
    """The variables `dbt_project/profiles.yml` reads, derived from one warehouse URL."""
    parts = urlsplit(url)
    return {
        "WAREHOUSE_URL": url,
        "WAREHOUSE_HOST": parts.hostname or "127.0.0.1",
        "WAREHOUSE_PORT": str(parts.port or 5432),
        "WAREHOUSE_USER": unquote(parts.username or SUPERUSER),
        "WAREHOUSE_PASSWORD": unquote(parts.password or ""),
        "WAREHOUSE_DB": parts.path.lstrip("/") or DATABASE,
    }


def export_environment() -> str:
    """Put the warehouse URL and its parts into `os.environ` for dbt and child processes."""
    url = warehouse_url()
    os.environ.update(connection_environment(url))
    return url


def wait_until_reachable(url: str, timeout_s: float = 30) -> None:
    """Block until the server behind `url` accepts connections, or raise with what to check."""
    import psycopg2

    deadline = time.monotonic() + timeout_s
    while True:
        try:
            psycopg2.connect(url, connect_timeout=3).close()
            return
        except psycopg2.OperationalError as exc:
            if time.monotonic() > deadline:
                host = urlsplit(url).hostname
                raise WarehouseError(
                    f"cannot reach the warehouse at {host}: {str(exc).strip()}. "
                    "Check WAREHOUSE_URL, or unset it to use the embedded server."
                ) from exc
            time.sleep(0.5)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m orchestration.warehouse")
    parser.add_argument("command", choices=["start", "stop", "url", "status", "psql", "exec"])
    parser.add_argument("argv", nargs=argparse.REMAINDER, help="with exec: the command to run")
    args = parser.parse_args(argv)
    server = EmbeddedServer()
    try:
        if args.command == "start":
            if os.environ.get("WAREHOUSE_URL"):
                wait_until_reachable(warehouse_url())
                print("warehouse: using WAREHOUSE_URL", file=sys.stderr)
            else:
                started = time.monotonic()
                was_running = server.is_running()
                server.start()
                verb = "reusing" if was_running else "started"
                print(
                    f"warehouse: {verb} embedded PostgreSQL on 127.0.0.1:{server.port} "
                    f"(data in {server.home}, {time.monotonic() - started:.1f}s)",
                    file=sys.stderr,
                )
        elif args.command == "stop":
            if not os.environ.get("WAREHOUSE_URL"):
                server.stop()
                print("warehouse: embedded PostgreSQL stopped", file=sys.stderr)
        elif args.command == "url":
            print(warehouse_url())
        elif args.command == "status":
            if os.environ.get("WAREHOUSE_URL"):
                print("external warehouse (WAREHOUSE_URL)")
            else:
                state = "running" if server.is_running() else "stopped"
                print(f"embedded warehouse {state} in {server.home}")
        elif args.command == "psql":
            psql = shutil.which("psql") or server._bin("psql")
            os.execv(psql, [psql, warehouse_url()])
        elif args.command == "exec":
            command = [a for a in args.argv if a != "--"]
            if not command:
                parser.error("exec needs a command, e.g. exec -- dbt build")
            export_environment()
            os.execvp(command[0], command)
    except WarehouseError as exc:
        print(f"warehouse: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
