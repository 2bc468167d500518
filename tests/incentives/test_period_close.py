"""Commission payouts on the tiny company, a period close, late data, and a rebuild from scratch.

Runs in its own warehouse and orders databases (closing a period and adding late orders must not
disturb the session's shared warehouse), with the plans in `tests/incentives/plans/`:
reps 3% (software 4%), 60-day clawback, 2,000.00 recoverable draw, 5 points for a training;
managers 2% and a 0.5% override on their teams; deal 1001 split 60/40 between 102 and 103.
The tiny company's rows are in tests/fixtures/README.md.
"""

from __future__ import annotations

import csv
import os
from collections.abc import Iterator
from decimal import Decimal

import psycopg2
import pytest
from dagster import DagsterInstance
from fixtures.incentive_warehouse import (
    PLANS,
    build_incentive_marts,
    copied_warehouse,
    dbt_on_warehouse,
    load_sources,
)

LINE_COLUMNS = (
    "rep_id, period_start, source_type, source_id, rule, payout_component, basis_amount, rate,"
    " amount, adjusts_period_start"
)
PAYOUT_COLUMNS = (
    "rep_id, period_start, gross_commission_amount, bonus_amount, clawback_amount, draw_amount,"
    " recovery_amount, adjustment_amount, net_payout_amount, points, line_count"
)
DBT_SCHEMAS = ("staging", "intermediate", "marts", "marts_audit")


def _rows(url: str, sql: str, params: tuple = ()) -> list[tuple]:
    with psycopg2.connect(url) as conn, conn.cursor() as cur:
        cur.execute(sql, params)
        return cur.fetchall()


def _execute(url: str, sql: str, params: tuple = ()) -> None:
    with psycopg2.connect(url) as conn, conn.cursor() as cur:
        cur.execute(sql, params)


def _january(url: str, table: str, columns: str) -> list[tuple]:
    return _rows(
        url, f"select {columns} from {table} where period_start = '2026-01-01' order by {columns}"
    )


# The shared helpers, under the names the month-end test modules import them by.
_load_sources = load_sources
_build_incentive_marts = build_incentive_marts


@pytest.fixture(scope="module")
def tiny_warehouse(
    warehouse_url: str,
    incentive_template: tuple[str, str],
    tmp_path_factory: pytest.TempPathFactory,
    monkeypatch_module,
) -> Iterator[tuple[str, str]]:
    """A warehouse and orders database of this module's own: copies of the session's template,
    with the tiny company's sources loaded and its incentive marts built and published
    (`fixtures.incentive_warehouse`)."""
    # One name for every module's copy (each is dropped at its module's end): dbt parses the
    # project once per database name, so the modules after the first reuse that parse.
    label = f"spw_incentives_copy_{os.getpid()}"
    state = tmp_path_factory.mktemp("incentives_state")
    with copied_warehouse(warehouse_url, incentive_template, label, state, PLANS) as databases:
        yield databases


@pytest.fixture(scope="module")
def monkeypatch_module() -> Iterator[pytest.MonkeyPatch]:
    with pytest.MonkeyPatch.context() as patch:
        yield patch


@pytest.fixture(scope="module")
def history(
    tiny_warehouse: tuple[str, str], tmp_path_factory: pytest.TempPathFactory
) -> dict[str, object]:
    """From the built marts: close January, add late data, rebuild from scratch; snapshots
    along the way."""
    from orchestration.incentives import close_period, export_statement

    url, orders_url = tiny_warehouse
    seen: dict[str, object] = {}
    seen["lines_before_close"] = _january(url, "marts.fct_commission_lines", LINE_COLUMNS)
    seen["payouts_before_close"] = _january(url, "marts.fct_payouts", PAYOUT_COLUMNS)
    seen["lines"] = _rows(url, f"select {LINE_COLUMNS} from marts.fct_commission_lines")

    assert close_period("2026-01") == 0
    seen["frozen_lines"] = _january(url, "incentives_closed.commission_lines", LINE_COLUMNS)
    seen["frozen_payouts"] = _january(url, "incentives_closed.payouts", PAYOUT_COLUMNS)
    seen["closed_again"] = close_period("2026-01")
    statements = tmp_path_factory.mktemp("statements")
    statement = export_statement(url, "102", "2026-01", "csv", statements)
    seen["statement"] = list(csv.DictReader(statement.open(encoding="utf-8")))

    # Late data: an order dated in closed January, and a February refund of a January order.
    _execute(
        orders_url,
        "insert into shop.orders (order_id, customer_id, sales_rep_id, deal_id, ordered_at,"
        " currency, status, updated_at) values ('O013', 'C002', '102', null,"
        " '2026-01-30 02:00+00', 'CNY', 'completed', now())",
    )
    _execute(
        orders_url,
        "insert into shop.order_lines (order_line_id, order_id, product_id, quantity, unit_price,"
        " updated_at) values ('L016', 'O013', 'P002', 1, 1000.00, now())",
    )
    _execute(
        orders_url,
        "insert into shop.refunds (refund_id, order_id, order_line_id, refund_type, refunded_at,"
        " amount, updated_at) values ('R003', 'O002', 'L003', 'refund', '2026-02-10 02:00+00',"
        " 1200.00, now())",
    )
    with DagsterInstance.ephemeral() as instance:
        _load_sources(instance, "orders")
    _build_incentive_marts(
        url,
        "int_order_lines_enriched fct_order_lines path:models/intermediate/incentives"
        " path:models/marts/incentives",
    )
    seen["lines_after_late_data"] = _rows(
        url, f"select {LINE_COLUMNS} from marts.fct_commission_lines order by 1, 2, 3, 4, 5"
    )
    seen["payouts_after_late_data"] = _rows(
        url, f"select {PAYOUT_COLUMNS}, status from marts.fct_payouts order by 1, 2"
    )
    for schema in DBT_SCHEMAS:
        _execute(url, f"drop schema if exists {schema} cascade")
    _build_incentive_marts(url, "+path:models/marts/incentives")
    seen["lines_rebuilt"] = _rows(
        url, f"select {LINE_COLUMNS} from marts.fct_commission_lines order by 1, 2, 3, 4, 5"
    )
    seen["payouts_rebuilt"] = _rows(
        url, f"select {PAYOUT_COLUMNS}, status from marts.fct_payouts order by 1, 2"
    )
    _range_close(url, seen)
    _target_of_105(url, seen)
    return seen


def _range_close(url: str, seen: dict[str, object]) -> None:
    """March cannot close while February is open; the range February..March closes both."""
    from orchestration.defs.incentives.period_close import PeriodCloseError
    from orchestration.incentives import close_period, refuse_open_predecessors

    with pytest.raises(PeriodCloseError) as refused:
        refuse_open_predecessors(url, "2026-03")
    seen["refusal"] = str(refused.value)
    seen["out_of_order"] = close_period("2026-03")
    spring = "period_start between '2026-02-01' and '2026-03-01'"
    seen["spring_before_close"] = _rows(
        url, f"select {PAYOUT_COLUMNS} from marts.fct_payouts where {spring} order by 1, 2"
    )
    seen["range_closed"] = close_period("2026-02..2026-03")
    seen["closed_months"] = [
        str(month)
        for (month,) in _rows(
            url, "select period_start from incentives_closed.closed_periods order by 1"
        )
    ]
    seen["spring_frozen"] = _rows(
        url, f"select {PAYOUT_COLUMNS} from incentives_closed.payouts where {spring} order by 1, 2"
    )
    seen["spring_statuses"] = _rows(
        url, f"select distinct status from marts.fct_payouts where {spring}"
    )


def _target_of_105(url: str, seen: dict[str, object]) -> None:
    """105's February target and attainment, as the attainment mart and the engine see them."""
    dbt_on_warehouse("run", "--quiet", "--select", "fct_target_attainment", check=True)
    seen["attainment_105"] = _rows(
        url,
        "select target_amount, attainment_pct from marts.fct_target_attainment"
        " where scope_type = 'rep' and scope_id = '105' and metric = 'revenue'"
        " and period_type = 'month' and period_start = '2026-02-01'",
    )
    seen["engine_105"] = _rows(
        url,
        "select prorated_target_amount from intermediate.int_rep_periods_planned"
        " where rep_id = '105' and period_start = '2026-02-01'",
    )


def _line(lines: list[tuple], rep: str, period: str, source: str, rule: str) -> Decimal | None:
    amounts = [
        row[8]
        for row in lines
        if (row[0], str(row[1]), row[3], row[4]) == (rep, period, source, rule)
    ]
    assert len(amounts) <= 1
    return amounts[0] if amounts else None


def test_january_lines_are_worked_out_by_hand(history) -> None:
    lines = history["lines"]
    jan = "2026-01-01"
    # O002 / L003: 3 x 1,200.00 hardware by 102 on 20 January: 3,600 x 3% = 108.00,
    # and 101 manages 102's team: 3,600 x 0.5% = 18.00
    assert _line(lines, "102", jan, "L003", "base_rate") == Decimal("108.00")
    assert _line(lines, "101", jan, "L003", "manager_override") == Decimal("18.00")
    # O003 / L004: 3,000.00 services by 103, cancelled 3 days later: 90.00 earned, -90.00 back
    assert _line(lines, "103", jan, "L004", "base_rate") == Decimal("90.00")
    assert _line(lines, "103", jan, "R002/L004", "clawback:base_rate") == Decimal("-90.00")
    # O009 / L012: 10 x 1,150.00 by manager 101 on the managers' plan: 11,500 x 2% = 230.00
    assert _line(lines, "101", jan, "L012", "base_rate") == Decimal("230.00")
    # draws top reps up to 2,000.00: 102 earned 108.00 -> 1,892.00; 103 earned 0 -> 2,000.00
    assert _line(lines, "102", jan, "102/2026-01", "draw") == Decimal("1892.00")
    assert _line(lines, "103", jan, "103/2026-01", "draw") == Decimal("2000.00")


def test_a_60_40_split_deal_and_a_mid_month_hire(history) -> None:
    lines = history["lines"]
    feb = "2026-02-01"
    # O001 on deal 1001 (5 February): L001 2 x 12,000.00 software split 14,400.00 / 9,600.00
    assert _line(lines, "102", feb, "L001", "base_rate") == Decimal("576.00")  # 14,400 x 4%
    assert _line(lines, "103", feb, "L001", "base_rate") == Decimal("384.00")  # 9,600 x 4%
    # L002 3,000.00 services: 1,800.00 x 3% and 1,200.00 x 3%
    assert _line(lines, "102", feb, "L002", "base_rate") == Decimal("54.00")
    assert _line(lines, "103", feb, "L002", "base_rate") == Decimal("36.00")
    # 105 joins on 15 February: 14 of 28 days, so the draw guarantee is 2,000 x 14 / 28 and,
    # with no sales in February, all of it is advanced
    assert _line(lines, "105", feb, "105/2026-02", "draw") == Decimal("1000.00")
    # R001 refunds L002 in full on 4 March (27 days, inside 60): both shares are clawed back
    mar = "2026-03-01"
    assert _line(lines, "102", mar, "R001/L002", "clawback:base_rate") == Decimal("-54.00")
    assert _line(lines, "103", mar, "R001/L002", "clawback:base_rate") == Decimal("-36.00")


def test_every_payout_is_the_sum_of_its_lines(history) -> None:
    payouts = history["payouts_after_late_data"]
    lines = history["lines_after_late_data"]
    assert payouts
    for rep_id, period_start, *_, net, _points, count, _status in payouts:
        mine = [row[8] for row in lines if (row[0], row[1]) == (rep_id, period_start)]
        assert net == sum(mine, Decimal("0.00"))
        assert count == len(mine)


def test_january_payouts_by_hand(history) -> None:
    payouts = {row[0]: row for row in history["payouts_before_close"]}
    # 101: 230.00 + 18.00 + 15.00 override - 15.00 override clawback = 248.00
    assert payouts["101"][8] == Decimal("248.00")
    # 102: 108.00 + 1,892.00 draw; 103: 90.00 - 90.00 + 2,000.00 draw
    assert payouts["102"][8] == Decimal("2000.00")
    assert payouts["103"][8] == Decimal("2000.00")


def test_closing_freezes_exactly_what_was_published(history) -> None:
    assert history["frozen_lines"] == history["lines_before_close"]
    assert history["frozen_payouts"] == history["payouts_before_close"]
    assert history["closed_again"] == 1  # a period closes once


def test_late_data_never_rewrites_the_closed_month(history) -> None:
    january = [row for row in history["lines_after_late_data"] if str(row[1]) == "2026-01-01"]
    assert sorted(january) == sorted(history["frozen_lines"])
    lines = history["lines_after_late_data"]
    feb = "2026-02-01"
    # the late O013 / L016 (1,000.00 services, 30 January) is paid as corrections in February
    assert _line(lines, "102", feb, "L016", "adjustment:base_rate") == Decimal("30.00")
    assert _line(lines, "101", feb, "L016", "adjustment:manager_override") == Decimal("5.00")
    # R003 refunds 1,200.00 of L003's 3,600.00 on 10 February, at the rates paid in January
    assert _line(lines, "102", feb, "R003/L003", "clawback:base_rate") == Decimal("-36.00")
    assert _line(lines, "101", feb, "R003/L003", "clawback:manager_override") == Decimal("-6.00")
    statuses = {(row[0], str(row[1])): row[-1] for row in history["payouts_after_late_data"]}
    assert statuses[("102", "2026-01-01")] == "closed"
    assert statuses[("102", "2026-02-01")] == "open"


def test_a_rebuild_from_scratch_reproduces_every_figure(history) -> None:
    assert history["lines_rebuilt"] == history["lines_after_late_data"]
    assert history["payouts_rebuilt"] == history["payouts_after_late_data"]
    january = [row for row in history["lines_rebuilt"] if str(row[1]) == "2026-01-01"]
    assert sorted(january) == sorted(history["frozen_lines"])


def test_the_statement_lists_each_line_with_its_source_and_rule(history) -> None:
    rows = [(row["source_id"], row["rule"], Decimal(row["amount"])) for row in history["statement"]]
    # 102's closed January: L003 at 3% and the draw topping 108.00 up to 2,000.00
    assert sorted(rows) == [
        ("102/2026-01", "draw", Decimal("1892.00")),
        ("L003", "base_rate", Decimal("108.00")),
    ]
    assert {row["source_type"] for row in history["statement"]} == {"order_line", "rep_period"}


def test_a_month_closes_only_after_the_ones_before_it(history) -> None:
    assert history["refusal"] == (
        "cannot close 2026-03: 1 earlier month(s) still open (2026-02); months close in order."
        " Close them first, or all at once: make close-period PERIOD=2026-02..2026-03"
    )
    assert history["out_of_order"] == 1


def test_a_range_closes_oldest_first_in_one_run(history) -> None:
    assert history["range_closed"] == 0
    assert history["closed_months"] == ["2026-01-01", "2026-02-01", "2026-03-01"]
    # frozen exactly as published before the close, and served as closed after one rebuild
    assert history["spring_frozen"] == history["spring_before_close"]
    assert len(history["spring_frozen"]) >= 8
    assert history["spring_statuses"] == [("closed",)]


def test_a_mid_month_hire_has_one_prorated_target(history) -> None:
    # 105 hired 15 February: 14 of 28 days of a 100,000.00 target = 50,000.00, no sales: 0%
    assert history["attainment_105"] == [(Decimal("50000.00"), Decimal("0.0000"))]
    assert history["engine_105"] == [(Decimal("50000.00"),)]
