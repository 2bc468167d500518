"""The forecast marts and ranges on the tiny company (tests/fixtures/README.md), worked by hand.

Data date 2026-03-20. Fewer than 10 deals have closed, so every empirical win rate falls back on
the CRM stage probability (lead 0.1, intent 0.2, quote 0.4, negotiation 0.6, contract 0.9). No
deal was won before 2026-02-03, so until then an open deal is expected 30 days after creation.
"""

from __future__ import annotations

from decimal import Decimal

D = Decimal


def test_the_start_of_february_forecast_and_its_accuracy(pipeline_run, query) -> None:
    # Open on 01-31, all expected in February (the CRM's close dates 02-04, 02-09, 02-19; QD-1
    # from the files: created + 30 days): 1001 27000.00 at quote 0.4, 1003 14500.00 (2000 USD x
    # 7.25) at intent 0.2, 1005 10000.00 at lead 0.1 (its amount then: raised to 11500.00 on
    # 02-05), QD-1 30000.00 at quote 0.4. Weighted 10800 + 2900 + 1000 + 12000 = 26700.00; best
    # case (quote, 0.4) 57000.00.
    row = query(
        "select forecast_point, closed_won_amount, open_pipeline_amount, weighted_pipeline_amount,"
        " commit_amount, best_case_amount, empirical_forecast_amount, actual_amount,"
        " target_amount, pipeline_coverage from marts.fct_forecasts"
        " where scope_type = 'company' and period_type = 'month'"
        " and period_start = '2026-02-01' and forecast_date = '2026-01-31'"
    )
    assert row == [
        # won in February: 1001 27000.00 + QD-1 30000.00; coverage 81500 / 100000 = 0.815
        ("start", D("0.00"), D("81500.00"), D("26700.00"), D("0.00"), D("57000.00"),
         D("26700.00"), D("57000.00"), D("100000.00"), D("0.8150")),
    ]  # fmt: skip
    accuracy = query(
        "select forecast_method, forecast_amount, error_amount, wape, bias, period_count"
        " from marts.fct_forecast_accuracy where scope_type = 'company' and period_type = 'month'"
        " and forecast_point = 'start' order by 1"
    )
    # February is the only ended month forecast at its start: |26700 - 57000| / 57000 = 0.53157..
    assert accuracy == [
        ("best_case", D("57000.00"), D("0.00"), D("0.0000"), D("0.0000"), 1),
        ("commit", D("0.00"), D("-57000.00"), D("1.0000"), D("-1.0000"), 1),
        ("crm_weighted", D("26700.00"), D("-30300.00"), D("0.5316"), D("-0.5316"), 1),
        ("empirical", D("26700.00"), D("-30300.00"), D("0.5316"), D("-0.5316"), 1),
    ]


def test_the_march_range_of_the_company_and_team_east_b(pipeline_run, query) -> None:
    new_deals = query(
        "select forecast_date::text, expected_new_amount from marts.fct_forecasts"
        " where scope_type = 'company' and period_type = 'month' and period_start = '2026-03-01'"
        " order by 1"
    )
    # 1001 (27000.00, won 02-03 after 29 days) is the only deal won by 02-28 since creation; of
    # deals like it created over March's 31 days, those created on the first 31 - 29 = 2 close in
    # March: 27000 / 365 x 2 = 147.945.. -> 147.95. By 03-15 (16 days left) no cycle is short
    # enough (1003 51, 1007 36, QD-1 41 days).
    assert new_deals == [
        ("2026-02-28", D("147.95")),
        ("2026-03-15", D("0.00")),
        ("2026-03-20", D("0.00")),
    ]
    rows = query(
        "select scope_type, scope_id, open_deal_count, range_method, p10_amount, p50_amount,"
        " p90_amount from marts.fct_forecast_ranges where period_type = 'month'"
        " and forecast_date = '2026-03-20' and scope_id in ('company', '12') order by 1"
    )
    # Won in March: 1003 14500.00 + 1007 8000.00 = 22500.00. New deals: with 11 days left, no deal
    # won in the trailing year closed within 11 days of creation (29, 36, 41, 51 days): 0.00.
    # Open: 1004 6000.00 at intent 0.2: lost with 0.8 (P10, P50), won at P90.
    assert rows == [
        ("company", "company", 1, "exact", D("22500.00"), D("22500.00"), D("28500.00")),
        ("team", "12", 1, "exact", D("14500.00"), D("14500.00"), D("20500.00")),
    ]
    pipeline = query(
        "select deal_id, stage_id, forecast_category, expected_close_date::text,"
        " empirical_probability, win_rate_basis, crm_close_date::text, close_date_push_count,"
        " close_date_pull_count, amount_change_count, first_amount"
        " from marts.fct_forecast_pipeline where snapshot_date in ('2026-02-15', '2026-03-20')"
        " and deal_id = '1004' order by snapshot_date"
    )
    # 1004 was created on 02-10 to close on 03-12 and pushed to 03-21 on 02-17; its amount never
    # changed (0 changes, first amount 6000.00)
    assert pipeline == [
        ("1004", "appointmentscheduled", "pipeline", "2026-03-12", D("0.1000"), "crm_probability",
         "2026-03-12", 0, 0, 0, D("6000.00")),
        ("1004", "qualifiedtobuy", "pipeline", "2026-03-21", D("0.2000"), "crm_probability",
         "2026-03-21", 1, 0, 0, D("6000.00")),
    ]  # fmt: skip
    slipped = query(
        "select snapshot_date::text, amount, first_amount, amount_change_count"
        " from marts.fct_forecast_pipeline where deal_id = '1005' order by snapshot_date"
    )
    # 1005 was created at 10000.00 on 01-20 and raised to 11500.00 on 02-05; lost on 02-17
    assert slipped == [
        ("2026-01-31", D("10000.00"), D("10000.00"), 0),
        ("2026-02-15", D("11500.00"), D("10000.00"), 1),
    ]


def test_a_stored_forecast_is_never_rewritten(pipeline_run, query, warehouse_url) -> None:
    from orchestration.defs.forecast.history import store_forecasts

    stored = "select * from forecast_history.forecasts order by forecast_id"
    before = query(stored)
    # two pipeline runs stored each forecast day once: the data date's as made, the rest backtest
    assert len(before) == query("select count(*) from marts.fct_forecasts")[0][0]
    assert {row[-2] for row in before if row[6].isoformat() == "2026-03-20"} == {False}
    changed = "where forecast_id = 'company:company:month:2026-03-01:2026-03-20'"
    query(f"update marts.fct_forecasts set closed_won_amount = closed_won_amount + 1 {changed}")
    try:
        assert store_forecasts(warehouse_url) == 0
        assert query(stored) == before
    finally:
        query(f"update marts.fct_forecasts set closed_won_amount = closed_won_amount - 1 {changed}")
