"""The warehouse connection every component reads: one environment variable, `WAREHOUSE_URL`.

When it is unset, the URL is the running embedded server's (`ingestion.platform.embedded`).
The URL may name a TCP host (`postgresql://user:pw@host:5432/db`) or a Unix-socket folder
(`postgresql://user@/db?host=/run/postgresql`), with or without a password (trust, peer or
`.pgpass` authentication); every function here keeps those parts as they are and reads the
database from the URL's path, never from its last `/`.
"""

from __future__ import annotations

import os
import time
from urllib.parse import parse_qs, quote, unquote, urlencode, urlsplit, urlunsplit

URL_ENV = "WAREHOUSE_URL"
DATABASE = "warehouse"
DEFAULT_USER = "postgres"
DEFAULT_PORT = 5432
SCHEMES = ("postgresql://", "postgres://", "postgresql+psycopg2://")


class WarehouseError(RuntimeError):
    """The warehouse could not be started or reached; the message says what to do next."""


def database_of(url: str) -> str:
    """The database a URL names (its path), `warehouse` when it names none."""
    return unquote(urlsplit(url).path.lstrip("/")) or DATABASE


def with_database(url: str, database: str) -> str:
    """The same server URL (host, socket folder, user, options) pointing at another database."""
    return urlunsplit(urlsplit(url)._replace(path=f"/{database}"))


def _query(url: str) -> dict[str, str]:
    return {key: values[-1] for key, values in parse_qs(urlsplit(url).query).items()}


def host_of(url: str) -> str:
    """The host, or the Unix-socket folder given as `?host=/path` (libpq's form)."""
    parts = urlsplit(url)
    return parts.hostname or _query(url).get("host") or "127.0.0.1"


def port_of(url: str) -> int:
    parts = urlsplit(url)
    return parts.port or int(_query(url).get("port") or DEFAULT_PORT)


def user_of(url: str) -> str:
    parts = urlsplit(url)
    return unquote(parts.username or _query(url).get("user") or DEFAULT_USER)


def password_of(url: str) -> str:
    """The password, empty when the URL has none (the server trusts the user or reads .pgpass)."""
    parts = urlsplit(url)
    return unquote(parts.password or _query(url).get("password") or "")


def socket_in_authority(url: str) -> str:
    """The URL with a `?host=/socket/folder` moved into its host part, percent-encoded (libpq's
    other spelling): clients that are not libpq (ConnectorX) read only that one."""
    query = _query(url)
    folder = query.pop("host", "")
    parts = urlsplit(url)
    if not folder.startswith("/") or parts.hostname:
        return url
    user = parts.netloc.rpartition("@")[0]
    host = quote(folder, safe="") + (f":{parts.port}" if parts.port else "")
    return urlunsplit(
        parts._replace(netloc=f"{user}@{host}" if user else host, query=urlencode(query))
    )


def warehouse_url() -> str:
    """`WAREHOUSE_URL` when set, else the URL of the running embedded server."""
    url = os.environ.get(URL_ENV)
    if url:
        if not url.startswith(SCHEMES):
            raise WarehouseError(
                "WAREHOUSE_URL must be a postgresql:// URL, e.g. "
                "postgresql://user:password@host:5432/warehouse or "
                "postgresql://user@/warehouse?host=/run/postgresql"
            )
        return url
    from ingestion.platform.embedded import EmbeddedServer

    server = EmbeddedServer()
    if not server.is_running():
        raise WarehouseError(
            "WAREHOUSE_URL is not set and the embedded warehouse is not running: "
            "run `make warehouse` (or any make target) to start it."
        )
    return server.url()


def connection_environment(url: str) -> dict[str, str]:
    """The variables `dbt_project/profiles.yml` reads, derived from one warehouse URL (a socket
    folder goes to WAREHOUSE_HOST: dbt's driver, like libpq, reads a path there as a socket)."""
    return {
        URL_ENV: url,
        "WAREHOUSE_HOST": host_of(url),
        "WAREHOUSE_PORT": str(port_of(url)),
        "WAREHOUSE_USER": user_of(url),
        "WAREHOUSE_PASSWORD": password_of(url),
        "WAREHOUSE_DB": database_of(url),
    }


def export_environment() -> str:
    """Put the warehouse URL and its parts into `os.environ` for dbt and child processes."""
    url = warehouse_url()
    os.environ.update(connection_environment(url))
    return url


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
                raise WarehouseError(
                    f"cannot reach the warehouse at {host_of(url)}: {str(exc).strip()}. "
                    "Check WAREHOUSE_URL, or unset it to use the embedded server."
                ) from exc
            time.sleep(0.5)
