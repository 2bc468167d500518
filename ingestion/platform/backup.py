"""Backups of what the warehouse cannot rebuild, with PostgreSQL's own `pg_dump`/`pg_restore`.

Every schema the pipeline builds (raw, staging, intermediate, marts) is recomputed from the
sources by `make pipeline`. What people decided, or what was known on a past day, is not: the
closed commission months (`incentives_closed`), month-end's approvals, disputes, holds and close
requests (`commission_ops`), and the forecasts as they were made (`forecast_history`). Those
schemas are listed once, in `IRREPLACEABLE_SCHEMAS`; a feature that adds such data appends its
schema there and every backup carries it.

    python -m ingestion.platform.backup create [--scope irreplaceable|all]   # make backup
    python -m ingestion.platform.backup restore [--file F] [--force]           # make restore

A backup is a custom-format archive in `BACKUP_DIR` (default `<state>/backups/`), named
`spw-<database>-<scope>-<UTC time>.dump`; the newest `BACKUP_KEEP` (default 14) of each database
and scope are kept. A restore refuses to replace rows already in the warehouse unless forced (and
then dumps them first), so restoring into an empty warehouse and running the pipeline rebuilds
everything else around the restored months.

The password never reaches a command line or a log: the clients get the URL without it and the
password in `PGPASSWORD`. The clients are the server's major version or newer (`pg_dump`
refuses older servers only, but an archive is readable only by a `pg_restore` as new as the
`pg_dump` that wrote it): `PG_BIN_DIR` when set, else the ones on `PATH`, else those the embedded
server's wheel ships.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import re
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from ingestion.platform.paths import state_dir
from ingestion.platform.warehouse_url import (
    WarehouseError,
    database_of,
    password_of,
    warehouse_url,
)

# The schemas nothing can recompute: append a schema here when a feature stores decisions in it.
IRREPLACEABLE_SCHEMAS: tuple[str, ...] = ("incentives_closed", "commission_ops", "forecast_history")
SCOPES = ("irreplaceable", "all")
SAFETY_SCOPE = "pre-restore"
BACKUP_DIR_ENV = "BACKUP_DIR"
KEEP_ENV = "BACKUP_KEEP"
DEFAULT_KEEP = 14
BIN_DIR_ENV = "PG_BIN_DIR"
ARCHIVE_NAME = re.compile(
    r"^spw-(?P<database>.+)-(?P<scope>irreplaceable|all|pre-restore)-"
    r"(?P<stamp>\d{8}T\d{6}\.\d{3}Z)\.dump$"
)
# `pg_restore --list` names each schema it creates as `<id>; <oid> <oid> SCHEMA - <name> <owner>`
SCHEMA_ENTRY = re.compile(r"^\d+; \d+ \d+ SCHEMA - (?P<name>\S+) ")
PUBLIC_TABLE = re.compile(r"^\d+; \d+ \d+ TABLE public ")


class BackupError(WarehouseError):
    """A backup or restore cannot proceed; the message says why and what to do."""


@dataclass(frozen=True)
class Backup:
    path: Path
    schemas: tuple[str, ...]
    missing: tuple[str, ...] = ()
    removed: tuple[Path, ...] = ()


@dataclass(frozen=True)
class Restore:
    path: Path
    schemas: tuple[str, ...]
    replaced: tuple[str, ...] = ()
    safety_backup: Path | None = None
    skipped_grants: tuple[str, ...] = field(default=())


def backup_dir() -> Path:
    """`BACKUP_DIR` when set, else `<state>/backups` (a function: tests set the variable)."""
    return Path(os.environ.get(BACKUP_DIR_ENV) or state_dir() / "backups")


def keep_count() -> int:
    """How many archives of one database and scope to keep: `BACKUP_KEEP`, default 14."""
    raw = os.environ.get(KEEP_ENV, "").strip() or str(DEFAULT_KEEP)
    if not raw.isdigit() or int(raw) < 1:
        raise BackupError(f"{KEEP_ENV}={raw}: give a whole number of backups to keep, 1 or more")
    return int(raw)


def client_target(url: str) -> tuple[str, dict[str, str]]:
    """The URL the clients connect with (no password, libpq's scheme) and their environment with
    the password in `PGPASSWORD`, so neither a process list nor a log ever shows it."""
    parts = urlsplit(url)
    netloc = parts.netloc
    if parts.password is not None:
        credentials, _, host = netloc.rpartition("@")
        netloc = f"{credentials.partition(':')[0]}@{host}"
    query = urlencode([(k, v) for k, v in parse_qsl(parts.query) if k != "password"], safe="/")
    target = urlunsplit(parts._replace(scheme="postgresql", netloc=netloc, query=query))
    environment = dict(os.environ)
    password = password_of(url)
    if password:
        environment["PGPASSWORD"] = password
    return target, environment


def _major_of(version_text: str) -> int:
    """10 and later number their major version with one figure: `pg_dump (PostgreSQL) 16.2`."""
    found = re.search(r"\)\s*(\d+)", version_text) or re.search(r"(\d+)", version_text)
    if not found:
        raise BackupError(f"cannot read a PostgreSQL version from {version_text!r}")
    return int(found.group(1))


def server_major(url: str) -> int:
    import psycopg2

    with psycopg2.connect(url) as conn, conn.cursor() as cur:
        cur.execute("show server_version_num")
        (number,) = cur.fetchone()
    conn.close()
    return int(number) // 10000


def _candidates(tool: str) -> list[str]:
    folder = os.environ.get(BIN_DIR_ENV)
    if folder:
        return [str(Path(folder) / tool)]
    found = [shutil.which(tool)]
    try:
        from ingestion.platform.embedded import EmbeddedServer

        found.append(EmbeddedServer._bin(tool))
    except WarehouseError:
        pass  # no pgserver wheel: PATH only
    return [path for path in found if path and Path(path).exists()]


def _client_versions(tool: str) -> dict[str, int]:
    versions: dict[str, int] = {}
    for path in _candidates(tool):
        result = subprocess.run([path, "--version"], capture_output=True, text=True)
        if result.returncode == 0:
            versions[path] = _major_of(result.stdout)
    return versions


def newest_client(tool: str) -> str:
    """The newest `tool` found: it reads the archives of every older version too."""
    versions = _client_versions(tool)
    if not versions:
        raise BackupError(
            f"no {tool} found: install the PostgreSQL client tools or set {BIN_DIR_ENV}"
        )
    return max(versions, key=versions.__getitem__)


def client_for(tool: str, major: int) -> str:
    """The `pg_dump`/`pg_restore` of the server's major version, else the oldest newer one;
    a client older than the server is refused, naming the versions found and the fix."""
    versions = _client_versions(tool)
    usable = sorted((version, path) for path, version in versions.items() if version >= major)
    if usable:
        return usable[0][1]
    seen = ", ".join(f"{path} ({version})" for path, version in versions.items()) or "none"
    raise BackupError(
        f"the warehouse runs PostgreSQL {major} but no {tool} of version {major} or newer was"
        f" found (found: {seen}). Install the PostgreSQL {major} client tools (e.g."
        f" `apt-get install postgresql-client-{major}`) and put them on PATH, or set"
        f" {BIN_DIR_ENV} to their folder (e.g. /usr/lib/postgresql/{major}/bin)."
    )


def _run(command: list[str], environment: dict[str, str], what: str) -> str:
    result = subprocess.run(command, capture_output=True, text=True, env=environment)
    if result.returncode != 0:
        raise BackupError(f"{what} failed ({result.returncode}): {result.stderr.strip()}")
    return result.stderr


def existing_schemas(url: str, names: tuple[str, ...] | None = None) -> list[str]:
    """The schemas of `names` the warehouse has (every non-system schema when None)."""
    import psycopg2

    with psycopg2.connect(url) as conn, conn.cursor() as cur:
        cur.execute(
            "select nspname from pg_namespace where nspname !~ '^pg_'"
            " and nspname <> 'information_schema' order by nspname"
        )
        found = [name for (name,) in cur.fetchall()]
    conn.close()
    return found if names is None else [name for name in names if name in found]


def _archive_path(directory: Path, database: str, scope: str) -> Path:
    moment = dt.datetime.now(dt.UTC)
    stamp = f"{moment:%Y%m%dT%H%M%S}.{moment.microsecond // 1000:03d}Z"
    return directory / f"spw-{database}-{scope}-{stamp}.dump"


def _dump(url: str, schemas: list[str] | None, path: Path) -> None:
    """One consistent snapshot (pg_dump reads in a single transaction) into `path`, written under
    a temporary name first so a dump cut short never looks like a backup."""
    target, environment = client_target(url)
    pg_dump = client_for("pg_dump", server_major(url))
    partial = path.with_name(path.name + ".partial")
    path.parent.mkdir(parents=True, exist_ok=True)
    selection = [f"--schema={schema}" for schema in schemas] if schemas is not None else []
    command = [pg_dump, "--format=custom", f"--file={partial}", *selection, f"--dbname={target}"]
    try:
        _run(command, environment, "pg_dump")
    except BackupError:
        partial.unlink(missing_ok=True)
        raise
    partial.replace(path)


def archives(directory: Path, database: str | None = None, scope: str | None = None) -> list[Path]:
    """The archives in `directory`, oldest first (by the time in their name)."""
    if not directory.is_dir():
        return []
    found = []
    for path in directory.iterdir():
        match = ARCHIVE_NAME.match(path.name)
        if match and database in (None, match["database"]) and scope in (None, match["scope"]):
            found.append((match["stamp"], path))
    return [path for _, path in sorted(found)]


def apply_retention(directory: Path, database: str, scope: str, keep: int) -> list[Path]:
    """Delete all but the newest `keep` archives of `database` and `scope`; the deleted paths."""
    old = archives(directory, database, scope)[:-keep]
    for path in old:
        path.unlink()
    return old


def create_backup(url: str, scope: str = "irreplaceable", directory: Path | None = None) -> Backup:
    """Dump the irreplaceable schemas the warehouse has (or, with scope `all`, the whole
    database), then apply the retention count to this database's archives of that scope."""
    if scope not in SCOPES:
        raise BackupError(f"SCOPE={scope}: give one of {', '.join(SCOPES)}")
    directory = directory or backup_dir()
    keep = keep_count()
    database = database_of(url)
    if scope == "all":
        schemas, missing = existing_schemas(url), []
        selection = None
    else:
        schemas = existing_schemas(url, IRREPLACEABLE_SCHEMAS)
        missing = [name for name in IRREPLACEABLE_SCHEMAS if name not in schemas]
        selection = schemas
        if not schemas:
            raise BackupError(
                f"none of {', '.join(IRREPLACEABLE_SCHEMAS)} exists in {database} yet: nothing"
                " to back up. `make pipeline` creates them; SCOPE=all dumps everything."
            )
    path = _archive_path(directory, database, scope)
    _dump(url, selection, path)
    removed = apply_retention(directory, database, scope, keep)
    return Backup(path, tuple(schemas), tuple(missing), tuple(removed))


def archive_schemas(path: Path, pg_restore: str) -> list[str]:
    """The schemas an archive fills, from its table of contents: those it creates, and `public`
    when it holds tables there (every database has `public`, so no dump creates it)."""
    listing = subprocess.run([pg_restore, "--list", str(path)], capture_output=True, text=True)
    if listing.returncode != 0:
        raise BackupError(f"{path} is not a readable archive: {listing.stderr.strip()}")
    lines = listing.stdout.splitlines()
    schemas = [m["name"] for line in lines if (m := SCHEMA_ENTRY.match(line))]
    if "public" not in schemas and any(PUBLIC_TABLE.match(line) for line in lines):
        schemas.append("public")
    return schemas


def archive_problems(path: Path, schemas: tuple[str, ...]) -> list[str]:
    """What is wrong with a backup file: missing, empty, unreadable by `pg_restore`, or without
    one of `schemas`; empty when it is sound."""
    if not path.is_file():
        return [f"{path} does not exist"]
    if path.stat().st_size == 0:
        return [f"{path} is empty"]
    try:
        held = archive_schemas(path, newest_client("pg_restore"))
    except BackupError as exc:
        return [str(exc)]
    return [f"{path.name} lacks schema {name}" for name in schemas if name not in held]


def occupied_tables(url: str, schemas: list[str]) -> list[str]:
    """`schema.table (n rows)` for every table with rows in `schemas`."""
    import psycopg2
    from psycopg2 import sql

    occupied = []
    with psycopg2.connect(url) as conn, conn.cursor() as cur:
        cur.execute(
            "select table_schema, table_name from information_schema.tables"
            " where table_type = 'BASE TABLE' and table_schema = any(%s) order by 1, 2",
            (schemas,),
        )
        for schema, table in cur.fetchall():
            cur.execute(
                sql.SQL("select count(*) from {}.{}").format(*map(sql.Identifier, (schema, table)))
            )
            (rows,) = cur.fetchone()
            if rows:
                occupied.append(f"{schema}.{table} ({rows} rows)")
    conn.close()
    return occupied


def _drop_schemas(url: str, schemas: list[str]) -> None:
    """Drop the schemas the archive recreates (cascade: views built on them go too, and the next
    pipeline run rebuilds them); `public` is recreated, as a fresh database has it."""
    import psycopg2
    from psycopg2 import sql

    with psycopg2.connect(url) as conn, conn.cursor() as cur:
        for schema in schemas:
            cur.execute(sql.SQL("drop schema {} cascade").format(sql.Identifier(schema)))
        if "public" in schemas:
            cur.execute("create schema public")
    conn.close()


def _restore_grants(pg_restore: str, path: Path, target: str, env: dict[str, str]) -> list[str]:
    """Restore the archive's grants alone, after its objects: a grant to a role this server does
    not have is skipped and reported (the pipeline's access setup grants again on its next
    build), where it would otherwise abort the whole restore."""
    listing = subprocess.run([pg_restore, "--list", str(path)], capture_output=True, text=True)
    grants = [line for line in listing.stdout.splitlines() if " ACL " in line]
    if not grants:
        return []
    with tempfile.NamedTemporaryFile("w", suffix=".list", delete=False) as handle:
        handle.write("\n".join(grants) + "\n")
    try:
        command = [pg_restore, "--no-owner", f"--use-list={handle.name}", f"--dbname={target}"]
        result = subprocess.run([*command, str(path)], capture_output=True, text=True, env=env)
    finally:
        os.unlink(handle.name)
    return [line.strip() for line in result.stderr.splitlines() if "error:" in line]


def restore_backup(url: str, path: Path | None = None, force: bool = False) -> Restore:
    """Restore an archive into the warehouse behind `url` (the newest in `backup_dir()` when no
    path is given). Tables with rows in the schemas it recreates are refused unless `force`,
    which first dumps those schemas into a `pre-restore` archive beside the others."""
    if path is None:
        found = [p for p in archives(backup_dir()) if SAFETY_SCOPE not in p.name]
        if not found:
            raise BackupError(f"no backup in {backup_dir()}: run `make backup`, or give FILE=")
        path = found[-1]
    if not path.is_file():
        raise BackupError(f"FILE={path}: no such backup file")
    major = server_major(url)
    pg_restore = client_for("pg_restore", major)
    schemas = archive_schemas(path, pg_restore)
    present = existing_schemas(url, tuple(schemas))
    occupied = occupied_tables(url, present)
    safety = None
    if occupied and not force:
        raise BackupError(
            f"refusing to restore {path.name}: {len(occupied)} table(s) already hold rows it would"
            f" replace: {', '.join(occupied)}. Restore into an empty warehouse, or FORCE=1 to"
            " replace them (their rows are dumped to a pre-restore backup first)."
        )
    if occupied:
        safety = _archive_path(backup_dir(), database_of(url), SAFETY_SCOPE)
        _dump(url, present, safety)
        apply_retention(backup_dir(), database_of(url), SAFETY_SCOPE, keep_count())
    target, environment = client_target(url)
    _drop_schemas(url, present)
    try:
        _run(
            [pg_restore, "--no-owner", "--no-acl", "--exit-on-error", "--single-transaction"]
            + [f"--dbname={target}", str(path)],
            environment,
            "pg_restore",
        )
    except BackupError as exc:
        if safety is None:
            raise
        raise BackupError(
            f"{exc}. The rows it was to replace are in {safety}:"
            f" make restore FILE={safety} FORCE=1 puts them back."
        ) from exc
    skipped = _restore_grants(pg_restore, path, target, environment)
    return Restore(path, tuple(schemas), tuple(occupied), safety, tuple(skipped))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m ingestion.platform.backup")
    commands = parser.add_subparsers(dest="command", required=True)
    create = commands.add_parser("create", help="dump the irreplaceable schemas (or everything)")
    create.add_argument("--scope", choices=SCOPES, default="irreplaceable")
    restore = commands.add_parser("restore", help="restore a backup (default: the newest)")
    restore.add_argument("--file", type=Path, default=None)
    restore.add_argument("--force", action="store_true")
    args = parser.parse_args(argv)
    try:
        url = warehouse_url()
        if args.command == "create":
            done = create_backup(url, args.scope)
            print(
                f"backup: {done.path} ({done.path.stat().st_size} bytes) holds"
                f" {', '.join(done.schemas)}",
                file=sys.stderr,
            )
            if done.missing:
                print(
                    f"backup: not in this warehouse yet: {', '.join(done.missing)}", file=sys.stderr
                )
            if done.removed:
                print(f"backup: removed {len(done.removed)} older backup(s)", file=sys.stderr)
            return 0
        restored = restore_backup(url, args.file, args.force)
    except BackupError as exc:
        print(f"{args.command}: {exc}", file=sys.stderr)
        return 1
    if restored.safety_backup:
        print(f"restore: the replaced rows are in {restored.safety_backup}", file=sys.stderr)
    for line in restored.skipped_grants:
        print(f"restore: grant skipped (the pipeline grants again): {line}", file=sys.stderr)
    print(
        f"restore: {restored.path.name} restored {', '.join(restored.schemas)} into"
        f" {database_of(url)}. Now run `make pipeline`: it rebuilds what the archive does"
        " not hold.",
        file=sys.stderr,
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
