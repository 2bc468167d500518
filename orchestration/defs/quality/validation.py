"""Run a Great Expectations suite on one warehouse table, keep the result, report it to Dagster.

Suites are written in code (`suites.py`), never in a GX project folder, so review sees them.
Each validation is:

- run by GX 1.x against the live table (GX's Postgres data source, over TCP),
- appended to the warehouse table `quality.validation_results` (one row per validation, with the
  GX result as `jsonb`), which is also where the next run finds its row-count baseline,
- rendered as GX Data Docs HTML under `<state dir>/gx/data_docs/`,
- returned as an `AssetCheckResult` whose metadata carries the GX result and links to both.

GX is imported inside the functions: it takes seconds to import, and loading the definitions
(the UI, every test) must not pay for it.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import psycopg2
from dagster import AssetCheckResult, AssetCheckSeverity, MetadataValue

from ingestion.platform.paths import state_dir
from ingestion.platform.warehouse_url import warehouse_url

if TYPE_CHECKING:
    from great_expectations.expectations import Expectation

RESULTS_SCHEMA = "quality"
RESULTS_TABLE = "validation_results"
# A table may shrink or grow by this share between two validations before its row count fails.
DEFAULT_ROW_COUNT_TOLERANCE = 0.5
# How many of a failed rows query's rows are kept with its result (GX's summary keeps none).
UNEXPECTED_ROWS_SAMPLE = 10


@dataclass(frozen=True)
class SuiteInputs:
    """What a suite may depend on besides the table itself: the last good validation's count,
    and whether the table may rightly be empty (its `empty_unless` relation has no rows)."""

    previous_row_count: int | None
    may_be_empty: bool = False


@dataclass(frozen=True)
class TableSuite:
    """A GX expectation suite for one table, built when it runs (GX imports slowly)."""

    schema: str
    table: str
    expectations: Callable[[SuiteInputs], Sequence[Expectation]]
    description: str = ""
    # A relation whose rows oblige this table to have rows: while it is empty or missing (e.g. no
    # commission plans configured in own-data mode), an empty table passes its first validation.
    empty_unless: str | None = None

    @property
    def name(self) -> str:
        return f"{self.schema}.{self.table}"


def row_count_tolerance() -> float:
    """The relative change in row count allowed between validations (env override)."""
    return float(os.environ.get("QUALITY_ROW_COUNT_TOLERANCE", DEFAULT_ROW_COUNT_TOLERANCE))


def row_count_bounds(
    previous: int | None, tolerance: float, may_be_empty: bool = False
) -> tuple[int, int | None]:
    """Row-count bounds around the previous good validation; without one, just "not empty"
    (or anything, where the table may rightly be empty)."""
    if previous is None:
        return (0 if may_be_empty else 1), None
    low = int(previous * (1 - tolerance))
    high = int(previous * (1 + tolerance) + 0.999999)
    return max(low, 1 if previous > 0 else 0), high


def data_docs_dir() -> Path:
    """Where the Data Docs HTML goes: `SPW_STATE_DIR` (tests) or the project's `.state/`."""
    return state_dir() / "gx" / "data_docs"


def ensure_results_table(url: str) -> None:
    """Create `quality.validation_results` on first use."""
    with psycopg2.connect(url) as conn, conn.cursor() as cur:
        cur.execute(f"create schema if not exists {RESULTS_SCHEMA}")
        cur.execute(
            f"""
            create table if not exists {RESULTS_SCHEMA}.{RESULTS_TABLE} (
                validation_id bigserial primary key,
                suite_name text not null,
                table_schema text not null,
                table_name text not null,
                dagster_run_id text,
                is_success boolean not null,
                evaluated_expectations integer not null,
                successful_expectations integer not null,
                row_count bigint not null,
                result jsonb not null,
                data_docs_path text,
                validated_at timestamptz not null default now()
            )
            """
        )
    conn.close()


def previous_good_row_count(url: str, suite: TableSuite) -> int | None:
    """The row count of the table's last successful validation, the next run's baseline."""
    with psycopg2.connect(url) as conn, conn.cursor() as cur:
        cur.execute(
            f"select row_count from {RESULTS_SCHEMA}.{RESULTS_TABLE}"
            " where table_schema = %s and table_name = %s and is_success"
            " order by validation_id desc limit 1",
            (suite.schema, suite.table),
        )
        row = cur.fetchone()
    conn.close()
    return int(row[0]) if row else None


def relation_has_rows(url: str, relation: str) -> bool:
    """Whether `schema.table` exists and holds at least one row."""
    from psycopg2 import sql

    schema, table = relation.split(".", 1)
    with psycopg2.connect(url) as conn, conn.cursor() as cur:
        cur.execute("select to_regclass(%s) is not null", (relation,))
        exists = cur.fetchone()[0]
        if exists:
            cur.execute(
                sql.SQL("select exists (select 1 from {}.{})").format(
                    sql.Identifier(schema), sql.Identifier(table)
                )
            )
            exists = cur.fetchone()[0]
    conn.close()
    return bool(exists)


def _count_rows(url: str, suite: TableSuite) -> int:
    from psycopg2 import sql

    with psycopg2.connect(url) as conn, conn.cursor() as cur:
        cur.execute(
            sql.SQL("select count(*) from {}.{}").format(
                sql.Identifier(suite.schema), sql.Identifier(suite.table)
            )
        )
        (count,) = cur.fetchone()
    conn.close()
    return int(count)


@dataclass(frozen=True)
class Validation:
    """One suite's outcome: GX's own result dictionary plus where it was kept."""

    suite: TableSuite
    success: bool
    result: dict[str, Any]
    row_count: int
    validation_id: int
    data_docs_path: Path | None

    @property
    def failed_expectations(self) -> list[str]:
        return [
            _expectation_label(item)
            for item in self.result.get("expectations", [])
            if not item.get("success")
        ]

    def check_result(self) -> AssetCheckResult:
        """The Dagster view of this validation (ERROR severity: a failure is a failure)."""
        statistics = self.result.get("statistics", {})
        metadata: dict[str, Any] = {
            "suite": self.suite.name,
            "evaluated_expectations": statistics.get("evaluated_expectations", 0),
            "successful_expectations": statistics.get("successful_expectations", 0),
            "failed_expectations": MetadataValue.text(
                "; ".join(self.failed_expectations) or "none"
            ),
            "row_count": self.row_count,
            "gx_result": MetadataValue.json(self.result),
            "results_table": MetadataValue.text(
                f"select * from {RESULTS_SCHEMA}.{RESULTS_TABLE}"
                f" where validation_id = {self.validation_id}"
            ),
        }
        if self.data_docs_path is not None:
            metadata["data_docs"] = MetadataValue.url(self.data_docs_path.as_uri())
        return AssetCheckResult(
            passed=self.success,
            severity=AssetCheckSeverity.ERROR,
            metadata=metadata,
            description=None
            if self.success
            else f"{self.suite.name}: {'; '.join(self.failed_expectations)}",
        )


def _expectation_label(item: dict[str, Any]) -> str:
    kwargs = {k: v for k, v in item.get("kwargs", {}).items() if k != "batch_id"}
    column = kwargs.get("column")
    observed = item.get("result", {}).get("observed_value")
    unexpected = item.get("result", {}).get("unexpected_count")
    label = item.get("expectation_type", "expectation")
    if column:
        label += f"({column})"
    if item.get("description"):
        label += f" [{item['description']}]"
    if unexpected is not None:
        label += f": {unexpected} unexpected"
    elif observed is not None:
        label += f": observed {observed}"
    return label


def run_suite(suite: TableSuite, dagster_run_id: str | None = None) -> Validation:
    """Validate `suite` against the warehouse now and keep the result."""
    import great_expectations as gx
    from great_expectations.checkpoint import UpdateDataDocsAction
    from great_expectations.data_context.types.base import (
        DataContextConfig,
        InMemoryStoreBackendDefaults,
        ProgressBarsConfig,
    )

    url = warehouse_url()
    ensure_results_table(url)
    inputs = SuiteInputs(
        previous_row_count=previous_good_row_count(url, suite),
        may_be_empty=suite.empty_unless is not None
        and not relation_has_rows(url, suite.empty_unless),
    )

    docs_dir = data_docs_dir()
    config = DataContextConfig(
        store_backend_defaults=InMemoryStoreBackendDefaults(),
        data_docs_sites={
            "local": {
                "class_name": "SiteBuilder",
                "store_backend": {
                    "class_name": "TupleFilesystemStoreBackend",
                    "base_directory": str(docs_dir),
                },
                "site_index_builder": {"class_name": "DefaultSiteIndexBuilder"},
            }
        },
        progress_bars=ProgressBarsConfig(globally=False),
        analytics_enabled=False,
    )
    context = gx.get_context(mode="ephemeral", project_config=config)
    source = context.data_sources.add_postgres(name="warehouse", connection_string=url)
    asset = source.add_table_asset(
        name=suite.name, table_name=suite.table, schema_name=suite.schema
    )
    batch = asset.add_batch_definition_whole_table("whole_table")
    gx_suite = context.suites.add(gx.ExpectationSuite(name=suite.name))
    for expectation in suite.expectations(inputs):
        gx_suite.add_expectation(expectation)
    definition = context.validation_definitions.add(
        gx.ValidationDefinition(name=suite.name, data=batch, suite=gx_suite)
    )
    checkpoint = context.checkpoints.add(
        gx.Checkpoint(
            name=suite.name,
            validation_definitions=[definition],
            actions=[UpdateDataDocsAction(name="data_docs", site_names=["local"])],
        )
    )
    outcome = checkpoint.run()
    ((identifier, result),) = outcome.run_results.items()
    result_dict = json.loads(json.dumps(result.describe_dict(), default=str))
    for item, expectation_result in zip(result_dict["expectations"], result.results, strict=True):
        _describe_outcome(url, suite, item, expectation_result)
    docs_page = _data_docs_page(docs_dir, identifier.to_tuple())
    row_count = _count_rows(url, suite)
    validation_id = _record(url, suite, dagster_run_id, result_dict, row_count, docs_page)
    return Validation(
        suite=suite,
        success=bool(result.success),
        result=result_dict,
        row_count=row_count,
        validation_id=validation_id,
        data_docs_path=docs_page,
    )


def _describe_outcome(url: str, suite: TableSuite, item: dict[str, Any], outcome: Any) -> None:
    """Add to GX's result `item` what its summary leaves out and the reader needs: the
    expectation's description, and for a failed rows query the first offending rows."""
    description = outcome.expectation_config.description if outcome.expectation_config else None
    if description:
        item["description"] = description
    query = (item.get("kwargs") or {}).get("unexpected_rows_query")
    if query and not item.get("success") and not item.get("exception_info"):
        item["unexpected_rows_sample"] = _first_rows(url, suite, query)


def _first_rows(url: str, suite: TableSuite, query: str) -> list[dict[str, Any]]:
    """The first `UNEXPECTED_ROWS_SAMPLE` rows `query` returns (`{batch}` is the suite's table),
    as JSON-ready dictionaries."""
    from psycopg2 import sql

    table = sql.SQL("{}.{}").format(sql.Identifier(suite.schema), sql.Identifier(suite.table))
    with psycopg2.connect(url) as conn, conn.cursor() as cur:
        cur.execute(
            sql.SQL("select * from ({}) as unexpected limit {}").format(
                sql.SQL(query.strip().rstrip(";")).format(batch=table),
                sql.Literal(UNEXPECTED_ROWS_SAMPLE),
            )
        )
        names = [column.name for column in cur.description]
        rows = [dict(zip(names, row, strict=True)) for row in cur.fetchall()]
    conn.close()
    return json.loads(json.dumps(rows, default=str))


def _data_docs_page(docs_dir: Path, identifier: tuple[str, ...]) -> Path | None:
    """GX writes a validation's page at validations/<suite>/<run name>/<run time>/<batch>.html."""
    page = docs_dir.joinpath("validations", *identifier[:-1], f"{identifier[-1]}.html")
    return page if page.exists() else None


def _record(
    url: str,
    suite: TableSuite,
    dagster_run_id: str | None,
    result: dict[str, Any],
    row_count: int,
    docs_page: Path | None,
) -> int:
    statistics = result.get("statistics", {})
    with psycopg2.connect(url) as conn, conn.cursor() as cur:
        cur.execute(
            f"""
            insert into {RESULTS_SCHEMA}.{RESULTS_TABLE} (
                suite_name, table_schema, table_name, dagster_run_id, is_success,
                evaluated_expectations, successful_expectations, row_count, result, data_docs_path
            )
            values (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s)
            returning validation_id
            """,
            (
                suite.name,
                suite.schema,
                suite.table,
                dagster_run_id,
                bool(result.get("success")),
                int(statistics.get("evaluated_expectations", 0)),
                int(statistics.get("successful_expectations", 0)),
                row_count,
                json.dumps(result),
                str(docs_page) if docs_page else None,
            ),
        )
        (validation_id,) = cur.fetchone()
    conn.close()
    return int(validation_id)
