"""Expected commission on the tiny company (tests/fixtures/README.md), worked by hand.

Data date 2026-03-20, so the forecast month is March. The one open deal due in it is Carol's
(103) 1004: 6000.00 CNY at intent, empirical probability 0.2 (the CRM's: fewer than 10 deals have
closed), expected on 03-21 (tests/forecast/test_forecast_on_tiny_company.py). Reps pay by the
demo's field_sales plan version 1 (3% default, software 4%, marginal bands of 0% below 100%), the
managers by sales_managers (2% own sales, 0.5% override on their teams' revenue).
"""

from __future__ import annotations

import json
import subprocess
from decimal import Decimal
from pathlib import Path

from orchestration.resources import DBT_EXECUTABLE, DBT_PROJECT_DIR

D = Decimal

COLUMNS = (
    "rep_id, team_id, period_start::text, forecast_date::text, plan_id, expected_deal_count,"
    " booked_credited_amount, expected_credited_amount, booked_commission_amount,"
    " expected_commission_amount, added_commission_amount, amount_currency"
)


def test_carol_earns_36_more_if_1004_closes(pipeline_run, query) -> None:
    rows = query(f"select {COLUMNS} from marts.fct_expected_commissions where rep_id = '103'")
    # Booked in March: O004 (2000.00 USD x 7.25 on 03-03) = L005 1600 x 7.25 = 11600.00 software
    # + L006 400 x 7.25 = 2900.00 hardware = 14500.00, against a March target of 25000.00 (58%:
    # band 1 pays 0%, no accelerator; above the 50% decelerator threshold of 12500.00):
    # 11600 x 4% = 464.00 + 2900 x 3% = 87.00 -> 551.00. Expected: 1004, 6000.00 x 0.2 = 1200.00
    # on 03-21, no line items so no product: 1200 x 3% (default) = 36.00; 15700.00 is still 63%
    # of target, so no band or threshold moves. Expected 551.00 + 36.00 = 587.00.
    assert rows == [
        ("103", "12", "2026-03-01", "2026-03-20", "field_sales", 1, D("14500.00"), D("1200.00"),
         D("551.00"), D("587.00"), D("36.00"), "CNY"),
    ]  # fmt: skip
    # the booked figure is March's commission in the commission mart, line for line; the mart
    # also tops it up to the plan's 2000.00 draw (1449.00), which is paying, not earning
    booked = query(
        "select sum(amount) from marts.fct_commission_lines where rep_id = '103'"
        " and period_start = '2026-03-01' and payout_component not in ('draw', 'recovery')"
    )
    assert booked == [(D("551.00"),)]


def test_the_manager_override_and_a_rep_with_nothing_open(pipeline_run, query) -> None:
    rows = query(
        "select rep_id, expected_deal_count, expected_credited_amount, added_commission_amount,"
        " expected_commission_amount = booked_commission_amount"
        " from marts.fct_expected_commissions where rep_id in ('101', '102') order by 1"
    )
    # Alice (101) manages Carol's team 12: her override on 1004's 1200.00 is 0.5% = 6.00.
    # Bob (102) has no open deal due in March: expected = booked.
    assert rows == [("101", 0, D("0.00"), D("6.00"), False), ("102", 0, D("0.00"), D("0.00"), True)]


def test_the_actual_chain_never_sees_an_expected_line(pipeline_run, query) -> None:
    # the forecast scenario lives in its own schema; the actual chain and its marts are as booked
    assert query(
        "select count(*) from intermediate.int_order_line_credits_split"
        " where order_line_id like 'expected:%'"
    ) == [(0,)]
    assert query(
        "select count(*) from marts.fct_commission_lines where source_id like 'expected:%'"
    ) == [(0,)]
    assert query(
        "select rep_id, source_id, rule, amount"
        " from commission_forecast.int_commission_lines_computed"
        " where source_id like 'expected:%' order by 1, 3"
    ) == [
        ("101", "expected:1004", "manager_override", D("6.00")),
        ("103", "expected:1004", "base_rate", D("36.00")),
    ]


def test_a_scenario_without_its_models_fails_naming_the_fix(tmp_path: Path) -> None:
    # without the list of models to move, a forecast run would write over the actual chain
    parsed = subprocess.run(
        [
            str(DBT_EXECUTABLE),
            "parse",
            "--vars",
            json.dumps({"commission_scenario": "forecast"}),
            "--project-dir",
            str(DBT_PROJECT_DIR),
            "--profiles-dir",
            str(DBT_PROJECT_DIR),
            "--target-path",
            str(tmp_path),
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    assert parsed.returncode != 0
    assert "needs the var commission_scenario_models" in parsed.stdout + parsed.stderr
