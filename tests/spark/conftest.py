"""The Spark suite (`make test-spark`, marker `spark`): dbt on a local SparkSession, beside the
PostgreSQL build of the same inputs. It needs the `spark` extra (pyspark, dbt-spark) and Java."""

from __future__ import annotations

import importlib.util
import json
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from ingestion.platform.warehouse_url import connection_environment
from orchestration.resources import DBT_PROJECT_DIR
from tests.spark.builds import DbtCommand, build_on_spark, spark_folders


def _missing() -> str | None:
    if shutil.which("java") is None:
        return "the Spark suite needs Java (make test-spark; .ci/run installs it)"
    if importlib.util.find_spec("pyspark") is None:
        return "the Spark suite needs the spark extra (make test-spark installs it)"
    return None


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    reason = _missing()
    here = Path(__file__).parent
    for item in items:
        if reason and here in Path(str(item.fspath)).parents:
            item.add_marker(pytest.mark.skip(reason=reason))


DBT = Path(sys.executable).with_name("dbt")
DBT_SESSION = Path(__file__).with_name("dbt_session.py")


@pytest.fixture(scope="session")
def spark_environment(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """The tiny company's local Spark session folders."""
    return spark_folders(tmp_path_factory.mktemp("spark"))


@pytest.fixture(scope="session")
def dbt_command(tmp_path_factory: pytest.TempPathFactory) -> Iterator[DbtCommand]:
    """`dbt_command(target, environment, *args)`: dbt in a child process (the JVM goes with it),
    with a target folder per target so the project's own manifest is left alone.
    `dbt_command.in_one_session(target, environment, [args, ...], label=...)`: several commands
    in one child process (tests/spark/dbt_session.py), so Spark's JVM starts once."""
    targets = tmp_path_factory.mktemp("dbt_targets")

    def common(target: str, label: str) -> list[str]:
        return [
            "--target",
            target,
            "--project-dir",
            str(DBT_PROJECT_DIR),
            "--profiles-dir",
            str(DBT_PROJECT_DIR),
            "--target-path",
            str(targets / label),
        ]

    def child(command: list[str], environment: dict[str, str], timeout: int):
        return subprocess.run(
            ["nice", "-n", "15", *command],
            env={**os.environ, **environment},
            cwd=DBT_PROJECT_DIR.parent,
            capture_output=True,
            text=True,
            timeout=timeout,
        )

    def run(target: str, environment: dict[str, str], *args: str, timeout: int = 1800):
        return child([str(DBT), *args, *common(target, target)], environment, timeout)

    def in_one_session(
        target: str,
        environment: dict[str, str],
        commands: list[list[str]],
        label: str | None = None,
        timeout: int = 1800,
    ):
        arguments = [[*args, *common(target, label or target)] for args in commands]
        session = [sys.executable, str(DBT_SESSION), json.dumps(arguments)]
        return child(session, environment, timeout)

    run.in_one_session = in_one_session  # type: ignore[attr-defined]
    run.target_path = lambda label: targets / label  # type: ignore[attr-defined]
    yield run


@pytest.fixture(scope="session")
def postgres_environment(warehouse_url: str) -> dict[str, str]:
    return connection_environment(warehouse_url)


@pytest.fixture(scope="session")
def postgres_build(pipeline_run) -> None:
    """The tiny company built on PostgreSQL once, by the pipeline job as `make pipeline` runs it:
    the session's `pipeline_run` (tests/conftest.py), so a session holding other suites as well
    runs the job once for all of them."""
    result = pipeline_run.result
    assert result.success, [event.message for event in result.all_events if event.is_failure]


@pytest.fixture(scope="session")
def spark_build(postgres_build, warehouse_url: str, spark_environment, dbt_command) -> dict:
    """The tiny company's Spark build: `dbt build --target spark` of every model and data test
    over the PostgreSQL build's raw schemas. Its target folder serves the whole suite."""
    build = ["build", "--exclude", "test_type:unit"]
    return build_on_spark(dbt_command, "spark", warehouse_url, spark_environment, build)
