"""Key tests PostgreSQL already guarantees are answered from its catalog, every other one still
scans its table (dbt_project/macros/utils/enforced_constraints.sql)."""

from __future__ import annotations

import psycopg2
import pytest
from psycopg2 import errors

CATALOG = {
    # marts_audit.fct_commission_lines: its contract's primary key, enforced by PostgreSQL
    "unique_fct_commission_lines_commission_line_id",
    "not_null_fct_commission_lines_commission_line_id",
    # the closed-periods store's primary key, tested on the source table
    "source_unique_incentives_closed_commission_lines_commission_line_id",
    "source_not_null_incentives_closed_commission_lines_commission_line_id",
    # incremental tables keyed by a unique index (dbt's `indexes` config)
    "unique_int_order_lines_enriched_order_line_id",
    "unique_int_deal_stage_visits_sequenced_stage_visit_id",
}
SCANNED = {
    # a view: PostgreSQL guarantees nothing about a view's rows
    "unique_stg_orders__orders_order_id",
    # a table with a plain (not unique) index on the key
    "unique_int_orders_enriched_order_id",
}


def test_enforced_keys_are_read_from_the_catalog_and_the_rest_scanned(
    pipeline_run, warehouse_url: str, run_dbt
) -> None:
    result = run_dbt(
        warehouse_url,
        "test",
        "--select",
        *CATALOG,
        *SCANNED,
        # keyed by a unique index whose nulls compare equal (its month marker rows)
        "int_commission_lines_revenue,test_name:unique_combination_of_columns_incentives",
        # a union of tables, with no constraint
        "int_commission_lines_computed,test_name:unique_combination_of_columns_incentives",
    )
    tests = [run for run in result.result.results if run.node.resource_type == "test"]
    compiled = {run.node.name: run.node.compiled_code for run in tests}
    assert {run.status for run in tests} == {"pass"}
    catalog = {name for name, sql in compiled.items() if "where false" in sql}
    scanned = {name for name, sql in compiled.items() if "group by" in sql or "is null" in sql}
    combination = "unique_combination_of_columns_incentives_int_commission_lines_"
    assert catalog == CATALOG | {n for n in compiled if n.startswith(combination + "revenue")}
    assert scanned == SCANNED | {n for n in compiled if n.startswith(combination + "computed")}
    assert len(catalog) == 7 and len(scanned) == 3

    # what the tests no longer look for, PostgreSQL refuses to store
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
        revenue = "intermediate.int_commission_lines_revenue"
        cur.execute(f"select count(*) from {revenue} where source_type is not null")
        assert cur.fetchone()[0] > 0
        with pytest.raises(errors.UniqueViolation):
            cur.execute(f"insert into {revenue} select * from {revenue} limit 1")
        conn.rollback()
        # a second marker row of a month (null rep, line and rule) is a duplicate too
        with pytest.raises(errors.UniqueViolation):
            cur.execute(
                f"insert into {revenue} (period_start, inputs_digest)"
                " values ('2001-01-01', 'a'), ('2001-01-01', 'b')"
            )
        conn.rollback()
