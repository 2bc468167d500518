"""Key tests PostgreSQL already guarantees are answered from its catalog, every other one still
scans its table (dbt_project/macros/utils/enforced_constraints.sql)."""

from __future__ import annotations

import psycopg2
import pytest
from psycopg2 import errors

TESTS = (
    # marts_audit.fct_commission_lines: its contract's primary key, enforced by PostgreSQL
    "unique_fct_commission_lines_commission_line_id",
    "not_null_fct_commission_lines_commission_line_id",
    # a view over the closed-periods store: PostgreSQL guarantees nothing about a view's rows
    "unique_stg_incentives_closed__commission_lines_commission_line_id",
    # a table with a plain (not unique) index on the key, and one with none on the combination
    "unique_int_orders_enriched_order_id",
)


def test_enforced_keys_are_read_from_the_catalog_and_the_rest_scanned(
    pipeline_run, warehouse_url: str, run_dbt
) -> None:
    result = run_dbt(
        warehouse_url,
        "test",
        "--select",
        *TESTS,
        "int_commission_lines_revenue,test_name:unique_combination_of_columns_incentives",
    )
    tests = [run for run in result.result.results if run.node.resource_type == "test"]
    compiled = {run.node.name: run.node.compiled_code for run in tests}
    assert {run.status for run in tests} == {"pass"}
    catalog = {name for name, sql in compiled.items() if "where false" in sql}
    scanned = {name for name, sql in compiled.items() if "group by" in sql or "is null" in sql}
    assert catalog == {
        "unique_fct_commission_lines_commission_line_id",
        "not_null_fct_commission_lines_commission_line_id",
    }
    assert scanned == set(compiled) - catalog
    assert len(scanned) == 3

    # what the two tests no longer look for, PostgreSQL refuses to store
    with psycopg2.connect(warehouse_url) as conn, conn.cursor() as cur:
        cur.execute("select count(*) from marts_audit.fct_commission_lines")
        assert cur.fetchone()[0] > 0
        with pytest.raises(errors.UniqueViolation):
            cur.execute(
                "insert into marts_audit.fct_commission_lines"
                " select * from marts_audit.fct_commission_lines limit 1"
            )
        conn.rollback()
        with pytest.raises(errors.NotNullViolation):
            cur.execute("update marts_audit.fct_commission_lines set commission_line_id = null")
        conn.rollback()
