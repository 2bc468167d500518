"""Helpers for the dbt tests: run dbt in this process against a chosen database."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from dbt.cli.main import dbtRunner, dbtRunnerResult

from ingestion.platform.warehouse_url import connection_environment
from orchestration.resources import DBT_PROJECT_DIR, dbt_target_for_connection


@contextmanager
def _environment(values: dict[str, str]) -> Iterator[None]:
    saved = dict(os.environ)
    os.environ.update(values)
    try:
        yield
    finally:
        os.environ.clear()
        os.environ.update(saved)


class DbtInvoke:
    """`run_dbt(url, *args)`: a dbt command on the database at `url`, in a target folder of its
    own per database (`target_of(url)`), kept for the whole session: the project's own manifest
    (which Dagster reads) is left alone, and every command after the first on a database finds
    its partial parse (one shared folder is parsed again, 10-30 s, at each change of database)."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def target_of(self, url: str) -> Path:
        return dbt_target_for_connection(
            "tests", {**os.environ, **connection_environment(url)}, self.root
        )

    def __call__(self, url: str, *args: str) -> dbtRunnerResult:
        with _environment(connection_environment(url)):
            result = dbtRunner().invoke(
                [
                    *args,
                    "--project-dir",
                    str(DBT_PROJECT_DIR),
                    "--profiles-dir",
                    str(DBT_PROJECT_DIR),
                    "--target-path",
                    str(self.target_of(url)),
                    "--quiet",
                ]
            )
        if not result.success:
            raise AssertionError(
                f"dbt {' '.join(args)} failed: {result.exception or result.result}"
            )
        return result


@pytest.fixture(scope="session")
def run_dbt(tmp_path_factory: pytest.TempPathFactory) -> DbtInvoke:
    return DbtInvoke(tmp_path_factory.mktemp("dbt_targets"))
