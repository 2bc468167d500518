"""Every model compiles, for each engine, to SQL free of the other engine's syntax
(tests/spark/engine_syntax.py), but for the shrinking list of models still to convert.

Compiling for Spark opens a SparkSession (a JVM: dbt asks the catalogue what exists while it
compiles), so this test is in the Spark suite, `make test-spark`, not in `make test`. It reads
the SQL the suite's one Spark build compiled (`spark_build`'s manifest) rather than compiling
again; PostgreSQL's is compiled here (no JVM, about a minute)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.spark.engine_syntax import (
    POSTGRES_ONLY,
    SPARK_ONLY,
    STILL_TO_CONVERT,
    compiled_models,
    survey,
)

pytestmark = pytest.mark.spark


@pytest.fixture(scope="session")
def spark_compiled(spark_build: dict) -> Path:
    return spark_build["target"]


@pytest.fixture(scope="session")
def postgres_compiled(dbt_command, postgres_environment: dict[str, str]) -> Path:
    completed = dbt_command(
        "warehouse", postgres_environment, "compile", "--select", "resource_type:model"
    )
    assert completed.returncode == 0, completed.stdout[-4000:] + completed.stderr[-4000:]
    return dbt_command.target_path("warehouse")


def test_spark_sql_holds_no_postgres_syntax(spark_compiled: Path) -> None:
    assert len(compiled_models(spark_compiled)) >= 100  # every model compiled, none skipped
    found = survey(spark_compiled, POSTGRES_ONLY)
    unexpected = {
        model: sorted(names - STILL_TO_CONVERT.get(model, set()))
        for model, names in found.items()
        if names - STILL_TO_CONVERT.get(model, set())
    }
    assert unexpected == {}, "PostgreSQL syntax in SQL compiled for Spark: use a dispatched macro"


def test_still_to_convert_list_only_shrinks(spark_compiled: Path) -> None:
    """An entry whose model no longer holds a listed construct (or no longer exists) must go."""
    found = survey(spark_compiled, POSTGRES_ONLY)
    stale = {
        model: sorted(names - found.get(model, set()))
        for model, names in STILL_TO_CONVERT.items()
        if names - found.get(model, set())
    }
    assert stale == {}, "converted: remove these from STILL_TO_CONVERT and docs/spark.md"


def test_postgres_sql_holds_no_spark_syntax(postgres_compiled: Path) -> None:
    assert len(compiled_models(postgres_compiled)) >= 100
    assert survey(postgres_compiled, SPARK_ONLY) == {}
