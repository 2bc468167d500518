"""A failing check says why: the singular tests return the offending rows, naming them.

Each test breaks one figure of the tiny company's build inside a transaction, runs the singular
test's compiled SQL in it, reads what it returns, and rolls back, so the warehouse is untouched.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

import psycopg2

SINGULAR = Path("sales_warehouse") / "tests" / "singular"


def _compiled(run_dbt, url: str, test: str, folder: str) -> str:
    run_dbt(url, "compile", "--select", test)
    return (run_dbt.target_of(url) / "compiled" / SINGULAR / folder / f"{test}.sql").read_text()


def test_a_funnel_that_misses_a_won_amount_names_the_group_and_its_deals(
    pipeline_run, warehouse_url, run_dbt
) -> None:
    query = _compiled(run_dbt, warehouse_url, "assert_funnel_reconciles_with_deals", "sales")
    with psycopg2.connect(warehouse_url) as conn, conn.cursor() as cur:
        cur.execute(query)
        assert cur.fetchall() == []  # the tiny company's funnel reconciles
        cur.execute(
            "update marts.fct_funnel_stages set won_amount = won_amount - 100"
            " where funnel_stage_id = (select min(funnel_stage_id) from marts.fct_funnel_stages"
            " where is_won_stage and won_amount > 0)"
            " returning pipeline_id, rep_id, lead_source"
        )
        group = cur.fetchone()
        cur.execute(
            "select string_agg(deal_id, ', ' order by deal_id), sum(deal_reporting_amount)"
            " from marts.fct_deals where is_won and pipeline_id = %s and rep_id = %s"
            " and lead_source = %s",
            group,
        )
        won_deals, won_amount = cur.fetchone()
        cur.execute(query)
        columns = [column.name for column in cur.description]
        rows = [dict(zip(columns, row, strict=True)) for row in cur.fetchall()]
        conn.rollback()
    assert len(rows) == 1
    row = rows[0]
    assert (row["pipeline_id"], row["rep_id"], row["lead_source"]) == group
    assert row["expected_won_amount"] == won_amount
    assert row["funnel_won_amount"] == won_amount - Decimal(100)
    assert row["expected_won_count"] == row["funnel_won_count"]
    assert set(won_deals.split(", ")) <= set(row["sample_deal_ids"].split(", "))
    assert row["source_systems"]


def test_a_missing_fx_rate_names_currency_date_and_rows(
    pipeline_run, warehouse_url, run_dbt
) -> None:
    test = "assert_every_converted_amount_has_an_fx_rate"
    query = _compiled(run_dbt, warehouse_url, test, "core")
    with psycopg2.connect(warehouse_url) as conn, conn.cursor() as cur:
        cur.execute(query)
        assert cur.fetchall() == []  # every amount of the tiny company converts
        # O004 (USD, 2026-03-03: lines L005 and L006) as if no USD rate had been published
        cur.execute(
            "update intermediate.int_order_lines_enriched set fx_rate = null"
            " where order_id = 'O004'"
        )
        cur.execute(query)
        rows = cur.fetchall()
        conn.rollback()
    assert rows == [
        (
            "int_order_lines_enriched",
            "USD",
            dt.date(2026, 3, 3),
            2,
            "L005, L006",
        )
    ]
