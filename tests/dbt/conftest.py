"""Helpers for the dbt tests: run dbt in this process against a chosen database."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from dbt.cli.main import dbtRunner, dbtRunnerResult

from ingestion.platform.warehouse_url import connection_environment
from orchestration.resources import DBT_PROJECT_DIR


@contextmanager
def _environment(values: dict[str, str]) -> Iterator[None]:
    saved = dict(os.environ)
    os.environ.update(values)
    try:
        yield
    finally:
        os.environ.clear()
        os.environ.update(saved)


DbtInvoke = Callable[..., dbtRunnerResult]


@pytest.fixture
def run_dbt(tmp_path: Path) -> DbtInvoke:
    """`run_dbt(url, *args)`: a dbt command on the database at `url`, with a private target
    folder so the project's own manifest (which Dagster reads) is left alone."""
    target = tmp_path / "dbt_target"

    def invoke(url: str, *args: str) -> dbtRunnerResult:
        with _environment(connection_environment(url)):
            result = dbtRunner().invoke(
                [
                    *args,
                    "--project-dir",
                    str(DBT_PROJECT_DIR),
                    "--profiles-dir",
                    str(DBT_PROJECT_DIR),
                    "--target-path",
                    str(target),
                    "--quiet",
                ]
            )
        if not result.success:
            raise AssertionError(
                f"dbt {' '.join(args)} failed: {result.exception or result.result}"
            )
        return result

    return invoke
