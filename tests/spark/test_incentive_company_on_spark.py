"""The incentive company on a local SparkSession, compared with its PostgreSQL build row for row.

The month-end tests' company (tests/fixtures/incentive_warehouse.py): the tiny company's sources
paid by the plans of tests/incentives/plans (reps 3%, software 4%, managers' overrides 2%, credit
splits between reps) and 105's prorated February target, loaded and built on PostgreSQL once per
session (`incentive_template`). Its raw schemas are exported to Parquet and the same models
(`FIRST_BUILD`: the incentive marts, reps and teams, with everything upstream) run on Spark; then
each of those marts must hold exactly the rows PostgreSQL holds (tests/spark/mart_rows.py)."""

from __future__ import annotations

import pytest
from fixtures.incentive_warehouse import FIRST_BUILD

from ingestion.platform.warehouse_url import with_database
from orchestration.resources import DBT_PROJECT_DIR
from tests.spark.builds import build_on_spark, spark_folders
from tests.spark.mart_rows import differences, postgres_mart, spark_mart

pytestmark = pytest.mark.spark

INCENTIVE_MARTS = sorted(
    [path.stem for path in (DBT_PROJECT_DIR / "models" / "marts" / "incentives").rglob("*.sql")]
    + ["dim_reps", "dim_teams"]
)


@pytest.fixture(scope="session")
def incentive_company_url(incentive_template: tuple[str, str], warehouse_url: str) -> str:
    return with_database(warehouse_url, incentive_template[0])


@pytest.fixture(scope="session")
def incentive_spark_build(
    incentive_company_url: str, dbt_command, tmp_path_factory: pytest.TempPathFactory
) -> dict:
    """`dbt run --target spark` of the models the PostgreSQL template built (its data tests run
    in the tiny company's Spark build), in a Spark session and catalogue of its own."""
    environment = spark_folders(tmp_path_factory.mktemp("spark_incentives"))
    run = ["run", "--select", FIRST_BUILD]
    return build_on_spark(dbt_command, "spark_incentives", incentive_company_url, environment, run)


def test_the_incentive_models_run_on_spark(incentive_spark_build: dict) -> None:
    results = incentive_spark_build["results"]
    print(incentive_spark_build["timings_s"], len(results), "models")
    failed = {key: value for key, value in results.items() if value[0] != "success"}
    assert failed == {}, incentive_spark_build["log"][-3000:]
    assert set(INCENTIVE_MARTS) <= set(incentive_spark_build["marts"])


@pytest.mark.parametrize("mart", INCENTIVE_MARTS)
def test_incentive_mart_equals_postgres(
    mart: str, incentive_spark_build: dict, incentive_company_url: str
) -> None:
    schema, table = incentive_spark_build["marts"][mart]
    postgres = postgres_mart(incentive_company_url, schema, table)
    spark = spark_mart(incentive_spark_build["warehouse"], schema, table)
    found = differences(f"{schema}.{table}", postgres, spark)
    assert found is None, found
