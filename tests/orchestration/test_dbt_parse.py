"""The dbt project is parsed once per deployment, and every dbt invocation Dagster makes skips
parsing: dagster-dbt seeds each invocation's own target folder with `target/partial_parse.msgpack`,
which `ensure_dbt_manifest` keeps valid for the warehouse connection the runs use."""

from __future__ import annotations

import os
import shutil
import subprocess

import pytest
from dagster_dbt import DbtProject

from orchestration.resources import (
    DBT_EXECUTABLE,
    DBT_PROJECT_DIR,
    DBT_PROJECT_FLAGS,
    PARSE_FINGERPRINT,
    dbt_parse_fingerprint,
    ensure_dbt_manifest,
)

# `make test-e2e` (CI runs it): parses and runs dbt several times over, across connections.
pytestmark = pytest.mark.e2e


def _invocation_log(seed, folder) -> str:
    """dbt's log of a `dbt ls` in its own target folder seeded with `seed`, as dagster-dbt runs
    dbt."""
    folder.mkdir()
    shutil.copy(seed, folder)
    subprocess.run(
        [str(DBT_EXECUTABLE), "ls", "--quiet", "--select", "dim_date", *DBT_PROJECT_FLAGS]
        + ["--target-path", str(folder), "--log-path", str(folder)],
        check=True,
        capture_output=True,
        env={**os.environ, "DBT_SEND_ANONYMOUS_USAGE_STATS": "false"},
    )
    return (folder / "dbt.log").read_text()


def test_parsed_once_then_reused_until_the_connection_changes(tmp_path, monkeypatch) -> None:
    project = DbtProject(
        project_dir=DBT_PROJECT_DIR, profiles_dir=DBT_PROJECT_DIR, target_path=tmp_path / "target"
    )
    monkeypatch.setenv("WAREHOUSE_PORT", "5432")
    manifest = ensure_dbt_manifest(project, for_dbt_run=True)
    seed = manifest.parent / "partial_parse.msgpack"
    parsed_at = seed.stat().st_mtime_ns
    assert (manifest.parent / PARSE_FINGERPRINT).read_text() == dbt_parse_fingerprint()

    # the same files and connection: nothing is parsed again (each dbt step)
    assert ensure_dbt_manifest(project, for_dbt_run=True) == manifest
    assert seed.stat().st_mtime_ns == parsed_at

    # a dbt invocation as dagster-dbt makes it, in its own target folder seeded with the file
    assert "no changes found, skipping parsing" in _invocation_log(seed, tmp_path / "first")

    # another warehouse (dbt would reject the file): loading the definitions parses nothing...
    monkeypatch.setenv("WAREHOUSE_PORT", "5999")
    ensure_dbt_manifest(project)
    assert seed.stat().st_mtime_ns == parsed_at
    # ...the step about to run dbt parses once, for that connection
    ensure_dbt_manifest(project, for_dbt_run=True)
    assert seed.stat().st_mtime_ns != parsed_at
    assert (manifest.parent / PARSE_FINGERPRINT).read_text() == dbt_parse_fingerprint()
    parsed_again_at = seed.stat().st_mtime_ns

    # back on the first warehouse: the parse kept for it is copied back (its file time is the
    # first parse's), nothing is parsed, and dbt accepts the file as its own
    monkeypatch.setenv("WAREHOUSE_PORT", "5432")
    ensure_dbt_manifest(project, for_dbt_run=True)
    assert seed.stat().st_mtime_ns == parsed_at != parsed_again_at
    assert (manifest.parent / PARSE_FINGERPRINT).read_text() == dbt_parse_fingerprint()
    assert "no changes found, skipping parsing" in _invocation_log(seed, tmp_path / "back")
