"""Resources shared by the definitions, configured from the environment."""

from __future__ import annotations

import fcntl
import functools
import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
from collections.abc import Mapping
from pathlib import Path

from dagster_dbt import DbtCliResource, DbtProject
from dagster_dlt import DagsterDltResource

from ingestion.platform.paths import PROJECT_ROOT
from ingestion.platform.warehouse_url import warehouse_url
from orchestration.locks import advisory_lock

DBT_PROJECT_DIR = PROJECT_ROOT / "dbt_project"
DBT_EXECUTABLE = Path(sys.executable).with_name("dbt")
# dbt's target folder: `DBT_TARGET_PATH` when set (dbt and dagster-dbt read that variable too;
# relative to the project), else dbt_project/target. A test session sets one of its own, so two
# sessions side by side never write the same manifest (tests/conftest.py).
DBT_TARGET_DIR = DBT_PROJECT_DIR / os.environ.get("DBT_TARGET_PATH", "target")
dbt_project = DbtProject(
    project_dir=DBT_PROJECT_DIR, profiles_dir=DBT_PROJECT_DIR, target_path=DBT_TARGET_DIR
)
# Where a dbt command line finds the project and its profile.
DBT_PROJECT_FLAGS = ("--project-dir", str(DBT_PROJECT_DIR), "--profiles-dir", str(DBT_PROJECT_DIR))


# dbt rejects its partial-parse file (and parses the whole project again, about 10 s) when the
# profile's connection or a variable the project reads has changed since it was written. Dagster
# seeds every dbt invocation's own target folder with `target/partial_parse.msgpack`, so that file
# must match the environment the runs use: the fingerprint of that environment is kept beside it.
PARSE_FINGERPRINT = "parse_environment.sha256"
# Parses kept per environment fingerprint, so a process that moves between warehouses (a test
# session's databases, a deployment pointed at a new warehouse and back) copies the parse it made
# before instead of parsing again. dbt still checks every partial-parse file it is given and parses
# again itself if one does not fit. The newest few are kept.
PARSE_CACHE = "parse_cache"
PARSE_CACHE_KEPT = 8
PARSED_FILES = ("manifest.json", "partial_parse.msgpack")
ENV_VAR_CALL = re.compile(r"env_var\(\s*['\"](\w+)['\"]")


def _dbt_sources_changed(manifest: Path) -> bool:
    built = manifest.stat().st_mtime
    watched = [DBT_PROJECT_DIR / "dbt_project.yml", DBT_PROJECT_DIR / "profiles.yml"]
    for folder in ("models", "macros", "seeds", "snapshots", "tests"):
        watched.extend((DBT_PROJECT_DIR / folder).rglob("*"))
    return any(path.stat().st_mtime > built for path in watched if path.is_file())


def dbt_parse_fingerprint(environment: Mapping[str, str] = os.environ) -> str:
    """A digest of the values of every environment variable the profile and the project read
    (the warehouse's host, port, user, database...): what dbt's partial parsing depends on
    besides the files. A digest, so no password is written to disk."""
    names: set[str] = set()
    for name in ("profiles.yml", "dbt_project.yml"):
        names.update(ENV_VAR_CALL.findall((DBT_PROJECT_DIR / name).read_text()))
    values = "\0".join(f"{name}={environment.get(name, '')}" for name in sorted(names))
    return hashlib.sha256(values.encode()).hexdigest()


def dbt_target_for_connection(
    purpose: str, environment: Mapping[str, str] = os.environ, root: Path | None = None
) -> Path:
    """A dbt target folder for `purpose` kept per warehouse connection (under `root`, by default
    `DBT_TARGET_DIR`): dbt keeps its partial-parse file there, and it stays valid for every
    later command on that connection, however many other warehouses are used in between (one
    target folder shared by several connections is parsed again at each switch, 10-30 s)."""
    base = DBT_TARGET_DIR if root is None else root
    return base / f"{purpose}-{dbt_parse_fingerprint(environment)[:16]}"


def _cached_parse(target: Path, fingerprint: str) -> bool:
    """Copy the parse kept for `fingerprint` into `target`, if there is one as new as the
    project's files. The copies keep their times, so `_dbt_sources_changed` still applies."""
    cached = target / PARSE_CACHE / fingerprint[:16]
    if not all((cached / name).exists() for name in PARSED_FILES):
        return False
    if _dbt_sources_changed(cached / "manifest.json"):
        return False
    for name in PARSED_FILES:
        shutil.copy2(cached / name, target / name)
    os.utime(cached)  # the newest used are the ones kept
    return True


def _keep_parse(target: Path, fingerprint: str) -> None:
    cache = target / PARSE_CACHE
    kept = cache / fingerprint[:16]
    kept.mkdir(parents=True, exist_ok=True)
    for name in PARSED_FILES:
        shutil.copy2(target / name, kept / name)
    entries = sorted(cache.iterdir(), key=lambda path: path.stat().st_mtime, reverse=True)
    for old in entries[PARSE_CACHE_KEPT:]:
        shutil.rmtree(old, ignore_errors=True)


def ensure_dbt_manifest(project: DbtProject = dbt_project, *, for_dbt_run: bool = False) -> Path:
    """Parse the dbt project when its manifest or partial-parse file is missing or older than
    the project's files: once per deployment, wherever the definitions load (the code location,
    each run's step processes, `make pipeline`).

    `for_dbt_run`: about to run dbt in this environment, so also parse when the partial-parse
    file was written for another warehouse connection (dbt would reject it). dagster-dbt copies
    `target/partial_parse.msgpack` into each invocation's own target folder, so every invocation
    after the first on a connection skips parsing. Only a process that runs dbt pays that parse,
    and it would have parsed anyway. A file lock makes processes parse one after the other, never
    into the same files."""
    manifest = project.manifest_path
    target = manifest.parent
    target.mkdir(parents=True, exist_ok=True)
    fingerprint_file = target / PARSE_FINGERPRINT
    with open(target / ".parse.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        fingerprint = dbt_parse_fingerprint()
        other_connection = for_dbt_run and (
            not fingerprint_file.exists() or fingerprint_file.read_text() != fingerprint
        )
        stale = (
            not manifest.exists()
            or not (target / "partial_parse.msgpack").exists()
            or _dbt_sources_changed(manifest)
        )
        if other_connection and not stale and _cached_parse(target, fingerprint):
            fingerprint_file.write_text(fingerprint)
        elif other_connection or stale:
            subprocess.run(
                [str(DBT_EXECUTABLE), "parse", "--quiet", *DBT_PROJECT_FLAGS]
                + ["--target-path", str(target)],
                check=True,
            )
            fingerprint_file.write_text(fingerprint)
            _keep_parse(target, fingerprint)
    return manifest


@functools.cache
def _dbt_manifest_nodes() -> tuple[tuple[str, str, str], ...]:
    manifest = json.loads(ensure_dbt_manifest().read_text())
    nodes = [*manifest["nodes"].values(), *manifest["sources"].values()]
    return tuple(sorted((node["resource_type"], node["schema"], node["name"]) for node in nodes))


def dbt_models() -> list[tuple[str, str]]:
    """`(schema, name)` of every dbt model, from the manifest (parsed first if stale)."""
    return [(schema, name) for kind, schema, name in _dbt_manifest_nodes() if kind == "model"]


@functools.cache
def dbt_source_freshness() -> dict[tuple[str, str], dict]:
    """`(schema, table)` of every dbt source table -> its `freshness` rule (warn_after and
    error_after, each `{count, period}`), as dbt resolved it from the sources' YAML."""
    manifest = json.loads(ensure_dbt_manifest().read_text())
    return {
        (node["schema"], node["name"]): node["freshness"]
        for node in manifest["sources"].values()
        if node.get("freshness")
    }


def dbt_sources() -> list[tuple[str, str]]:
    """`(schema, table)` of every dbt source table."""
    return [(schema, name) for kind, schema, name in _dbt_manifest_nodes() if kind == "source"]


class LockingDltResource(DagsterDltResource):
    """dagster-dlt's resource, holding the advisory lock `raw_<source>` (the pipeline's dataset)
    while it loads, so two runs never load the same source at once (`orchestration/locks.py`)."""

    # `_run` is the generator behind the public `run` (dagster-dlt 0.29); wrapping it keeps the
    # lock for exactly as long as the load's events are being produced.
    def _run(self, context, dlt_source, dlt_pipeline, dagster_dlt_translator, **kwargs):  # type: ignore[override]
        with advisory_lock(warehouse_url(), dlt_pipeline.dataset_name, log=context.log.info):
            yield from super()._run(
                context=context,
                dlt_source=dlt_source,
                dlt_pipeline=dlt_pipeline,
                dagster_dlt_translator=dagster_dlt_translator,
                **kwargs,
            )


def build_resources() -> dict[str, object]:
    """The resources every asset may ask for, by name."""
    return {
        "dbt": DbtCliResource(project_dir=dbt_project, dbt_executable=str(DBT_EXECUTABLE)),
        "dlt": LockingDltResource(),
    }
