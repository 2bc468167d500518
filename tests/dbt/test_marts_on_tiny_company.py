"""The marts on the tiny company (tests/fixtures/README.md), against figures worked out by hand.

The data date is 2026-03-20, the latest event in the sources (order O012). FX: 1 USD = 7.1000 CNY
in January, 7.2000 in February, 7.2500 in March; the reporting currency is CNY.
"""

from __future__ import annotations

from decimal import Decimal

D = Decimal


def test_orders_net_refunds_and_convert_at_the_order_date(pipeline_run, query) -> None:
    rows = query(
        "select order_id, team_id, is_first_order, refunded_amount, net_amount,"
        " net_reporting_amount from marts.fct_orders"
        " where order_id in ('O001', 'O003', 'O004', 'O011', 'O012') order by 1"
    )
    assert rows == [
        # 27000.00 less R001's 3000.00 refund of line L002; Bob (102) is in team 11
        ("O001", "11", True, D("3000.00"), D("24000.00"), D("24000.00")),
        # cancelled: refunded in full; C003's first completed order is O011 instead
        ("O003", "11", False, D("3000.00"), D("0.00"), D("0.00")),
        # 2000.00 USD x 7.25 (March 3rd) = 14500.00; Carol (103) is in team 12 since Feb 1st
        ("O004", "12", True, D("0.00"), D("2000.00"), D("14500.00")),
        ("O011", "12", True, D("0.00"), D("4800.00"), D("4800.00")),
        # 420.00 USD x 7.25 = 3045.00; C007 ordered before (O007)
        ("O012", "21", False, D("0.00"), D("420.00"), D("3045.00")),
    ]
    lines = query(
        "select order_line_id, gross_reporting_amount, net_reporting_amount"
        " from marts.fct_order_lines where order_id in ('O001', 'O004') order by 1"
    )
    assert lines == [
        ("L001", D("24000.00"), D("24000.00")),
        ("L002", D("3000.00"), D("0.00")),  # refunded in full by R001
        ("L005", D("11600.00"), D("11600.00")),  # 1 x 1600.00 USD x 7.25
        ("L006", D("2900.00"), D("2900.00")),  # 2 x 200.00 USD x 7.25
    ]


def test_an_annual_target_becomes_twelve_monthly_targets_summing_exactly(
    pipeline_run, query
) -> None:
    def monthly(scope_type: str, scope_id: str) -> list[tuple]:
        return query(
            "select cast(period_start as text), target_amount, target_origin, is_derived"
            " from marts.fct_target_attainment where scope_type = %s and scope_id = %s"
            " and metric = 'revenue' and period_type = 'month' order by 1",
            (scope_type, scope_id),
        )

    # Rep 102: 240000 for 2026 with weights .05 .05 .10, .08 x 5, .10 x 4:
    # 12000, 12000, 24000, 19200 x 5 (= 96000), 24000 x 4 (= 96000): 240000.00 in all.
    bob = monthly("rep", "102")
    assert [row[1] for row in bob] == [D("12000.00")] * 2 + [D("24000.00")] + [
        D("19200.00")
    ] * 5 + [D("24000.00")] * 4
    assert len(bob) == 12 and sum(row[1] for row in bob) == D("240000.00")
    assert {(row[2], row[3]) for row in bob} == {("decomposed", True)}
    # Region east: 800000 with no weights and no history: twelfths of 66666.666..; rounded down
    # 12 x 66666.66 = 799999.92, the 8 missing cents go one each to January-August (equal
    # remainders, earliest first): 8 x 66666.67 + 4 x 66666.66 = 800000.00.
    east = monthly("region", "east")
    assert [row[1] for row in east] == [D("66666.67")] * 8 + [D("66666.66")] * 4
    assert sum(row[1] for row in east) == D("800000.00")
    years = query(
        "select scope_id, target_amount, target_origin from marts.fct_target_attainment"
        " where metric = 'revenue' and period_type = 'year' and scope_id in ('102', 'east')"
        " order by 1"
    )
    assert years == [("102", D("240000.00"), "given"), ("east", D("800000.00"), "given")]


def test_attainment_and_pace_on_the_data_date(pipeline_run, query) -> None:
    rows = query(
        "select period_type, target_amount, actual_amount, attainment_pct, elapsed_pct, pace_pct,"
        " projected_amount, gap_to_target, is_behind_pace, period_status"
        " from marts.fct_target_attainment where scope_type = 'rep' and scope_id = '102'"
        " and metric = 'revenue' and ((period_type = 'month' and period_start = '2026-03-01')"
        " or (period_type = 'quarter' and period_start = '2026-01-01')) order by 1"
    )
    assert rows == [
        # March: O006 8000 + O005 6000 = 14000 of 24000 = 0.5833; 20 of 31 days = 0.6452;
        # pace 14000 x 31 / (24000 x 20) = 0.9042; run rate 14000 x 31 / 20 = 21700.00
        ("month", D("24000.00"), D("14000.00"), D("0.5833"), D("0.6452"), D("0.9042"),
         D("21700.00"), D("10000.00"), True, "in_progress"),
        # Q1: 3600 + (24000 + 5800) + 14000 = 47400 of 48000 = 0.9875; 79 of 90 days = 0.8778;
        # pace 47400 x 90 / (48000 x 79) = 1.1250; run rate 47400 x 90 / 79 = 54000.00
        ("quarter", D("48000.00"), D("47400.00"), D("0.9875"), D("0.8778"), D("1.1250"),
         D("54000.00"), D("600.00"), False, "in_progress"),
    ]  # fmt: skip


def test_rep_targets_roll_up_and_actuals_follow_the_team_of_the_day(pipeline_run, query) -> None:
    rows = query(
        "select scope_type, scope_id, cast(period_start as text), target_origin, target_amount,"
        " own_target_amount, rolled_up_target_amount, actual_amount"
        " from marts.fct_target_attainment where metric = 'revenue' and period_type = 'month'"
        " and period_start in ('2026-01-01', '2026-02-01') and scope_type in ('team', 'region')"
        " order by 1, 2, 3"
    )
    assert rows == [
        # east has its own target and shows its teams' sum beside it: January team 11 =
        # Bob 12000 + Carol 20000 (Carol was in team 11); February 11 (12000) + 12 (20000).
        # Actuals: January O009 11500 + O002 3600 (+ O003 cancelled: 0); February O001 24000 +
        # O010 5800 + Carol's O011 4800 = 34600.
        ("region", "east", "2026-01-01", "decomposed", D("66666.67"), D("66666.67"),
         D("32000.00"), D("15100.00")),
        ("region", "east", "2026-02-01", "decomposed", D("66666.67"), D("66666.67"),
         D("32000.00"), D("34600.00")),
        # south has none: its team's; team 21 has none: Dan's 60000 for Q1 in thirds
        ("region", "south", "2026-01-01", "rolled_up", D("20000.00"), None, D("20000.00"),
         D("0.00")),
        ("region", "south", "2026-02-01", "rolled_up", D("20000.00"), None, D("20000.00"),
         D("30000.00")),
        ("team", "11", "2026-01-01", "rolled_up", D("32000.00"), None, D("32000.00"),
         D("15100.00")),
        # Carol's O011 (02-10) counts for team 12, where she was that day, not team 11
        ("team", "11", "2026-02-01", "rolled_up", D("12000.00"), None, D("12000.00"),
         D("29800.00")),
        ("team", "12", "2026-02-01", "rolled_up", D("20000.00"), None, D("20000.00"),
         D("4800.00")),
        ("team", "21", "2026-01-01", "rolled_up", D("20000.00"), None, D("20000.00"),
         D("0.00")),
        ("team", "21", "2026-02-01", "rolled_up", D("20000.00"), None, D("20000.00"),
         D("30000.00")),
    ]  # fmt: skip


def test_funnel_reconciles_with_the_raw_deals(pipeline_run, query) -> None:
    [(raw_deals, raw_won, raw_won_amount)] = query(
        """
        with deals as (
            select deal_id, stage_id, amount, amount_currency, closed_at, is_deleted
            from staging.stg_crm__deals
            union all
            select deal_id, stage_id, amount, amount_currency, closed_at, is_deleted
            from staging.stg_crm_files__deals
        )
        select
            count(*) filter (where not is_deleted),
            count(*) filter (where not is_deleted and stage_id = 'closedwon'),
            sum(case when amount_currency = 'USD' then amount * 7.25 else amount end)
                filter (where not is_deleted and stage_id = 'closedwon')
        from deals
        """
    )
    [(created, won, won_amount)] = query(
        "select sum(deals_created), sum(deals_entered) filter (where is_won_stage),"
        " sum(won_amount) filter (where is_won_stage) from marts.fct_funnel_stages"
    )
    # 8 deals (1006 deleted, QD-3 rejected); won 1001 27000 + 1003 2000 USD x 7.25 (closed in
    # March) + 1007 8000 + QD-1 30000 = 79500.00
    assert (raw_deals, raw_won, raw_won_amount) == (8, 4, D("79500.00"))
    assert (created, won, won_amount) == (raw_deals, raw_won, raw_won_amount)

    stages = query(
        "select stage_id, sum(deals_entered), sum(deals_advanced), sum(deals_lost_at_stage),"
        " sum(deals_open_at_stage) from marts.fct_funnel_stages where not is_closed_stage"
        " group by stage_id, stage_display_order order by stage_display_order"
    )
    assert stages == [
        # all 8 start as leads; 1005 is lost there (Budget)
        ("appointmentscheduled", 8, 7, 1, 0),
        # intent: 1001 1002 1003 1004 1007 QD-1 QD-2; lost 1002 (Price) and QD-2 (Budget);
        # 1004 still open
        ("qualifiedtobuy", 7, 4, 2, 1),
        ("presentationscheduled", 4, 4, 0, 0),  # 1001 1003 1007 QD-1, all won
        ("decisionmakerboughtin", 1, 1, 0, 0),  # 1003
        ("contractsent", 1, 1, 0, 0),
    ]
    cell = query(
        "select deals_entered, deals_lost_at_stage, loss_rate, conversion_rate, avg_dwell_days,"
        " top_loss_reasons from marts.fct_funnel_stages where stage_id = 'appointmentscheduled'"
        " and entry_month = '2026-01-01' and rep_id = '101' and lead_source = 'cold_call'"
    )
    # 1005: a lead from 01-20 until lost on 02-17 = 28 days
    assert cell == [(1, 1, D("1.0000"), D("0.0000"), D("28.00"), "Budget (1)")]


def test_deals_and_stage_history(pipeline_run, query) -> None:
    deals = query(
        "select deal_id, deal_status, team_id, cycle_days, follow_up_hours,"
        " is_followed_up_in_time from marts.fct_deals where deal_id in ('1001', '1005', 'QD-1')"
        " order by 1"
    )
    assert deals == [
        # created 01-05 02:00, won 02-03: 29 days; first call 01-06 02:30: 24.50 h, late
        ("1001", "won", "11", 29, D("24.50"), False),
        # the visits came before the deal was created and the note is no follow-up
        ("1005", "lost", "11", 28, None, False),
        # from the export files: created 01-06 10:00 Beijing, visit 01-08 14:00: 52.00 h
        ("QD-1", "won", "21", 41, D("52.00"), False),
    ]
    visits = query(
        "select stage_id, dwell_days, is_current_stage from marts.fct_deal_stage_history"
        " where deal_id = '1003' order by visit_number"
    )
    assert visits == [
        ("appointmentscheduled", D("10.00"), False),  # 01-10 -> 01-20
        ("qualifiedtobuy", D("16.00"), False),  # 01-20 -> 02-05
        ("presentationscheduled", D("7.00"), False),  # 02-05 -> 02-12
        ("decisionmakerboughtin", D("8.00"), False),  # 02-12 -> 02-20
        ("contractsent", D("10.00"), False),  # 02-20 -> 03-02 (February has 28 days)
        ("closedwon", None, True),
    ]


def test_customer_value_tiers(pipeline_run, query) -> None:
    rows = query(
        "select customer_id, trailing_12m_net_revenue_amount, value_tier, is_churn_risk"
        " from marts.dim_customers order by 1"
    )
    # Ranked by revenue: C007 30000 + 3045 (1/8 <= 20%: high), C001 24000 + 6000, C004 14500,
    # C005 11500 (2/8 .. 4/8 <= 50%: medium), then low. All ordered within 90 days: no warning.
    assert rows == [
        ("C001", D("30000.00"), "medium", False),
        ("C002", D("9400.00"), "low", False),  # 3600 + 5800
        ("C003", D("4800.00"), "low", False),  # O003 was cancelled
        ("C004", D("14500.00"), "medium", False),
        ("C005", D("11500.00"), "medium", False),
        ("C006", D("8000.00"), "low", False),
        ("C007", D("33045.00"), "high", False),
        ("C008", D("3000.00"), "low", False),
    ]


def test_rep_activity_and_headline_kpis(pipeline_run, query) -> None:
    bob = query(
        "select cast(month_start as text), visit_count, call_count, training_count,"
        " deals_created, deals_won, deals_lost, win_rate, net_revenue_amount, avg_follow_up_hours"
        " from marts.fct_rep_activity_monthly where rep_id = '102'"
        " and month_start >= '2026-01-01' order by 1"
    )
    assert bob == [
        # January: visit 2003, call 2101; deals 1001 and 1002 created, 1002 lost; O002 3600
        ("2026-01-01", 1, 1, 0, 2, 0, 1, D("0.0000"), D("3600.00"), D("24.50")),
        # February: visit 2004, training 2005; 1007 created (first visit 9 days 1 hour later:
        # 217.00 h); 1001 won; O001 24000 + O010 5800
        ("2026-02-01", 1, 0, 1, 1, 1, 0, D("1.0000"), D("29800.00"), D("217.00")),
        ("2026-03-01", 0, 0, 0, 0, 1, 0, D("1.0000"), D("14000.00"), None),
    ]  # fmt: skip
    kpis = query(
        "select cast(month_start as text), revenue_amount, completed_order_count,"
        " avg_order_value_amount, new_customer_count, marketing_spend_amount, cac_amount,"
        " conversion_rate, avg_sales_cycle_days, open_pipeline_amount, pipeline_coverage"
        " from marts.fct_sales_kpis_monthly where scope_type = 'company' order by 1"
    )
    assert kpis == [
        # 15100 / 2 completed orders = 7550.00; 10000 spend / 2 new customers (C005, C002);
        # 1002 lost; open at 01-31: 1001 27000 + 1003 14500 + 1005 11500 + QD-1 30000 = 83000
        # against 100000 - 15100 = 84900 to go: 0.9776
        ("2026-01-01", D("15100.00"), 2, D("7550.00"), 2, D("10000.00"), D("5000.00"),
         D("0.0000"), None, D("83000.00"), D("0.9776")),
        # 64600 / 4 = 16150.00; 8000 / 3 (C001, C003, C007) = 2666.67; won 1001 and QD-1, lost
        # 1005: 2/3; cycles 29 and 41 days: 35.00; open at 02-28: 1003 + 1004 6000 + 1007 8000 +
        # QD-2 5000 = 33500 against 35400: 0.9463
        ("2026-02-01", D("64600.00"), 4, D("16150.00"), 3, D("8000.00"), D("2666.67"),
         D("0.6667"), D("35.00"), D("33500.00"), D("0.9463")),
        # 34545 / 5 = 6909.00; 17000 / 3 (C004, C006, C008) = 5666.67; won 1003 (51 days) and
        # 1007 (36), lost QD-2: 2/3, 43.50; open at 03-20: 1004 6000 against 65455: 0.0917
        ("2026-03-01", D("34545.00"), 5, D("6909.00"), 3, D("17000.00"), D("5666.67"),
         D("0.6667"), D("43.50"), D("6000.00"), D("0.0917")),
    ]  # fmt: skip


def test_names_in_the_org_files_win_over_the_crm(pipeline_run, query) -> None:
    # South A's CRM export mapping names 104 and 105 陈丹 and 刘伊; finance's org/reps.csv
    # names them Dan Chen and Eve Liu, and the org files win.
    rows = query(
        "select rep_id, full_name, email from marts.dim_reps"
        " where rep_id in ('104', '105') and is_current order by 1"
    )
    assert rows == [
        ("104", "Dan Chen", "dan@tiny.example"),
        ("105", "Eve Liu", "eve@tiny.example"),
    ]
    # the team's manager shows the same name
    assert query("select manager_full_name from marts.dim_teams where team_id = '21'") == [
        ("Dan Chen",)
    ]
