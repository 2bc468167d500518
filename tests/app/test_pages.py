"""Every page on the tiny company's marts (tests/fixtures/README.md), as each role sees it, with
figures worked out by hand from the fixture's files."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from streamlit.testing.v1 import AppTest

APP = Path(__file__).resolve().parents[2] / "app" / "streamlit_app.py"
PAGES = [
    "app_pages/overview.py",
    "app_pages/targets.py",
    "app_pages/funnel.py",
    "app_pages/team.py",
    "app_pages/customers.py",
    "app_pages/commissions.py",
]
FEBRUARY = {"lang": "en", "grain": "month", "period": "2026-02"}


def metric(app: AppTest, label: str) -> str:
    (card,) = [card for card in app.metric if card.label == label]
    return card.value


def table_with(app: AppTest, column: str, holding: str | None = None):
    """The first table on the page that has `column` (with `holding` among its values)."""
    return next(
        frame.value
        for frame in app.dataframe
        if column in frame.value.columns
        and (holding is None or frame.value.isin([holding]).any().any())
    )


@pytest.mark.parametrize("role", ["finance", "manager", "rep"])
def test_every_page_renders_for_every_role(sign_in, role: str) -> None:
    app = sign_in(role, **FEBRUARY)
    pages = PAGES + (["app_pages/data_health.py"] if role == "finance" else [])
    for page in pages:
        app.switch_page(page).run()
        assert not app.exception, (page, app.exception)
        assert len(app.title) == 1, page
    if role != "finance":
        with pytest.raises(ValueError):
            app.switch_page("app_pages/data_health.py")


@pytest.mark.parametrize(
    ("team", "net_revenue"),
    [
        # February 2026, net of refunds, all in CNY:
        # O001 24000 + 3000 - 3000 refunded (L002) = 24000; O007 2 x 12000 + 2 x 3000 = 30000;
        # O010 2 x 2900 = 5800; O011 4 x 1200 = 4800  -> 64600
        ("", "64,600.00"),
        # East A: Bob's O001 + O010 = 29800 (Carol left East A on 2026-02-01)
        ("11", "29,800.00"),
        # East B: Carol's O011 on 2026-02-10 = 4800
        ("12", "4,800.00"),
        # South A: Dan's O007 = 30000
        ("21", "30,000.00"),
    ],
)
def test_overview_net_revenue_follows_the_team_filter(sign_in, team: str, net_revenue: str) -> None:
    app = sign_in("finance", **FEBRUARY)
    app.selectbox(key="filter_team").set_value(team).run()
    assert metric(app, "Net revenue (CNY)") == net_revenue
    assert app.query_params.get("team", "") == team


def test_overview_win_rate_and_cycle(sign_in) -> None:
    app = sign_in("finance", **FEBRUARY)
    # Closed in February: 1001 won (created 01-05, closed 02-03: 29 days), QD-1 won (01-06 to
    # 02-16: 41 days), 1005 lost -> win rate 2 / 3; cycle of the won (29 + 41) / 2 = 35
    assert metric(app, "Win rate") == "66.7%"
    assert metric(app, "Sales cycle (days)") == "35.0"
    app.selectbox(key="filter_rep").set_value("102").run()
    # Bob closed only 1001, won
    assert metric(app, "Win rate") == "100.0%"
    # Bob's completed February orders: O001 24000 and O010 5800 -> 29800 / 2
    assert metric(app, "Average order value (CNY)") == "14,900.00"


def test_a_quarter_from_the_link_adds_up_its_months(sign_in) -> None:
    app = sign_in("finance", lang="en", grain="quarter", period="2026-01", team="11")
    # East A in Q1 2026: Alice's O009 10 x 1150 = 11500; Bob's O002 3600 + February 29800 +
    # March O005 6000 + O006 8000; Carol's O003 (January, cancelled) 0 -> 58900
    assert metric(app, "Net revenue (CNY)") == "58,900.00"
    assert app.selectbox(key="filter_period").value == "2026-01"


def test_targets_mark_derived_targets_and_show_attainment(sign_in) -> None:
    app = sign_in("finance", **FEBRUARY)
    app.switch_page("app_pages/targets.py").run()
    reps = table_with(app, "Target origin", holding="Bob Li")
    reps = reps[reps["Name"].isin(["Bob Li", "Carol Zhang"])].set_index("Name")
    # Bob: 2026 revenue target 240000 given for the year, weight 0.05 for February -> 12000,
    # derived; actual 29800 -> 248.3%
    assert reps.loc["Bob Li", "Target"] == "12,000.00"
    assert reps.loc["Bob Li", "Target origin"].endswith("✱")
    assert reps.loc["Bob Li", "Attainment"] == "248.3%"
    # Carol: February target 20000 given monthly; actual O011 4800 -> 24.0%
    assert reps.loc["Carol Zhang", "Target"] == "20,000.00"
    assert not reps.loc["Carol Zhang", "Target origin"].endswith("✱")
    assert reps.loc["Carol Zhang", "Attainment"] == "24.0%"


def test_funnel_stages_and_lead_sources_follow_the_rep_filter(sign_in) -> None:
    app = sign_in("finance", lang="en", grain="month", period="2026-01")
    app.switch_page("app_pages/funnel.py").run()
    stages = table_with(app, "Conversion").set_index("Stage")
    # Entered Lead in January: 1001, 1002, 1003, 1005 and QD-1 (CRM files); 1005 was lost from
    # Lead, the other four moved on: 4 / 5 converted, 1 / 5 lost
    assert stages.loc["Lead 潜在客户", "Entered"] == "5"
    assert stages.loc["Lead 潜在客户", "Advanced"] == "4"
    assert stages.loc["Lead 潜在客户", "Conversion"] == "80.0%"
    assert stages.loc["Lead 潜在客户", "Loss rate"] == "20.0%"
    sources = table_with(app, "Lead source").set_index("Lead source")
    # Created in January: 1001 referral won, 1002 website lost, 1003 and QD-1 trade_show won,
    # 1005 cold_call lost
    assert sources["Win rate"].to_dict() == {
        "Referral": "100.0%",
        "Trade show": "100.0%",
        "Cold call": "0.0%",
        "Website": "0.0%",
    }
    app.selectbox(key="filter_rep").set_value("102").run()
    sources = table_with(app, "Lead source").set_index("Lead source")
    assert sorted(sources.index) == ["Referral", "Website"]


def test_team_leaderboard_counts_revenue_and_activity_while_on_the_team(sign_in) -> None:
    app = sign_in("finance", lang="en", grain="month", period="2026-01", team="11")
    app.switch_page("app_pages/team.py").run()
    board = table_with(app, "Visits")
    # January on East A: Alice O009 11500, 2 visits; Bob O002 3600, 1 visit, 1 call;
    # Carol (on East A until 2026-02-01) O003 cancelled -> 0, 1 call
    assert board[["Rep", "Net revenue", "Visits", "Calls"]].values.tolist() == [
        ["Alice Wang", "11,500.00", "2", "0"],
        ["Bob Li", "3,600.00", "1", "1"],
        ["Carol Zhang", "0.00", "0", "1"],
    ]


def test_team_trend_credits_each_month_to_the_team_of_the_order_date(app_users) -> None:
    from datetime import date
    from decimal import Decimal as D

    from app.data.connection import Reader
    from app.data.sales import monthly_revenue
    from app.data.selection import Selection

    trend = monthly_revenue(
        Reader("spw_finance", "trend-test"), Selection(date(2026, 1, 1), date(2026, 4, 1), "11")
    )
    # East A in Q1 (the quarter test's 58900): January Alice O009 11500, Bob O002 3600, Carol
    # O003 cancelled 0; February Bob O001 24000 + O010 5800; March Bob O005 6000 + O006 8000.
    # Carol's February order is East B's: she moved on 2026-02-01.
    assert [(str(m), n, v) for m, n, v in trend.itertuples(index=False)] == [
        ("2026-01-01", "Alice Wang", D("11500.00")),
        ("2026-01-01", "Bob Li", D("3600.00")),
        ("2026-01-01", "Carol Zhang", D("0.00")),
        ("2026-02-01", "Bob Li", D("29800.00")),
        ("2026-03-01", "Bob Li", D("14000.00")),
    ]


def test_customer_tiers_are_counted_and_summed(sign_in) -> None:
    app = sign_in("finance", **FEBRUARY)
    app.switch_page("app_pages/customers.py").run()
    # dim_customers of the tiny company (tests/dbt/test_marts_on_tiny_company.py): high C007
    # 33045; medium C001 30000 + C004 14500 + C005 11500 = 56000; low C002 9400 + C003 4800 +
    # C006 8000 + C008 3000 = 25200; nobody quiet for 90 days
    assert [metric(app, label) for label in ("High value", "Medium value", "Low value")] == [
        "1",
        "3",
        "4",
    ]
    assert metric(app, "Churn risk") == "0"
    captions = [caption.value for caption in app.caption]
    assert {"33,045.00", "56,000.00", "25,200.00"} <= set(captions)
    assert [note.value for note in app.success] == ["No customer is at risk."]


def test_customers_revenue_mix_by_product_line(sign_in) -> None:
    app = sign_in("finance", **FEBRUARY)
    app.switch_page("app_pages/customers.py").run()
    mix = table_with(app, "Product line").set_index("Product line")
    # February: software L001 24000 + L009 24000 = 48000; services L002 0 (refunded) + L010 6000
    # + L013 5800 = 11800; hardware L014 4800; of 64600: 74.3%, 18.3%, 7.4%
    assert mix["Net revenue"].to_dict() == {
        "Software": "48,000.00",
        "Services": "11,800.00",
        "Hardware": "4,800.00",
    }
    assert mix["Share"].to_dict() == {"Software": "74.3%", "Services": "18.3%", "Hardware": "7.4%"}


def test_commissions_reconcile_and_export(sign_in, require_marts) -> None:
    require_marts("fct_payouts", "fct_commission_lines", "fct_incentive_points")
    app = sign_in("finance", **FEBRUARY)
    app.switch_page("app_pages/commissions.py").run()
    assert [box.value for box in app.success if "reconcile" in box.value]
    assert not app.error
    assert len(app.download_button) == 2
    # The statement of the first rep, Alice (a manager): her lines only, 0.5% override on her
    # team's February order lines L002 3,000.00, L001 24,000.00, L014 4,800.00, L013 5,800.00.
    assert app.selectbox(key="commissions_rep").value == "101"
    statement = app.dataframe[1].value
    assert sorted(statement["Source"]) == [f"order_line: L0{n}" for n in ("01", "02", "13", "14")]
    assert set(statement["Rule"]) == {"Manager override"}
    assert sorted(statement["Amount"]) == ["120.00 CNY", "15.00 CNY", "24.00 CNY", "29.00 CNY"]
    assert "4 lines, totalling 188.00 CNY." in [caption.value for caption in app.caption]


def test_the_reconciliation_banner_is_the_dbt_tests_last_result(sign_in, query) -> None:
    # A later build whose dbt test found 2 payouts off their lines: the page says so from that
    # result (the marts themselves still reconcile, so recomputing would have said all is well).
    query(
        "insert into app_meta.refreshes values ('reconcile-probe', now() + interval '1 day', 9, 1);"
        " insert into app_meta.check_results values ('reconcile-probe',"
        " 'test.sales_warehouse.assert_payout_is_the_sum_of_its_lines', 'test', 'fail', 2,"
        " 'Got 2 results', '2030-01-02 03:04+00')"
    )
    try:
        app = sign_in("finance", **FEBRUARY)
        app.switch_page("app_pages/commissions.py").run()
        assert [box.value for box in app.error] == [
            "The last build found 2 payouts that do not equal the sum of their lines"
            " (dbt test, 2030-01-02 03:04 UTC): see Data health."
        ]
        assert not [box.value for box in app.success if "reconcile" in box.value]
    finally:
        query(
            "delete from app_meta.check_results where invocation_id = 'reconcile-probe';"
            " delete from app_meta.refreshes where invocation_id = 'reconcile-probe'"
        )


def test_a_rep_sees_only_themselves_and_a_manager_their_teams(sign_in) -> None:
    bob = sign_in("rep", **FEBRUARY)
    assert bob.selectbox(key="filter_rep").options == ["All", "Bob Li"]
    assert bob.selectbox(key="filter_team").options == ["All"]
    # Bob's February: 29800, the same as the company figure filtered to him
    assert metric(bob, "Net revenue (CNY)") == "29,800.00"
    alice = sign_in("manager", **FEBRUARY)
    assert alice.selectbox(key="filter_team").options == ["All", "East A", "East B"]
    # Alice's teams' reps in February: Bob 29800 + Carol 4800 (Alice herself sold nothing)
    assert metric(alice, "Net revenue (CNY)") == "34,600.00"


def test_the_language_switch_changes_every_label(sign_in) -> None:
    app = sign_in("finance", **FEBRUARY)
    assert app.title[0].value == "Overview"
    app.button_group(key="lang").set_value("zh").run()
    assert app.title[0].value == "总览"
    assert metric(app, "净销售额 (CNY)") == "64,600.00"
    assert app.query_params["lang"] == "zh"


def test_oidc_sign_in_maps_the_identity_to_its_role(app_users) -> None:
    app = AppTest.from_file(str(APP), default_timeout=60)
    app.secrets = {"auth": {"redirect_uri": "http://localhost:8501/oauth2callback"}}
    app.user = {"is_logged_in": True, "email": "bob@tiny.example", "name": "Bob"}
    app.query_params.update(FEBRUARY)
    app.run()
    assert not app.exception, app.exception
    assert "Bob Li (rep)" in app.sidebar.caption[0].value


def _dbt_description(model: str, column: str) -> str:
    """A mart column's description in the dbt YAML (the authority for definitions)."""
    marts = Path(__file__).resolve().parents[2] / "dbt_project" / "models" / "marts"
    for path in marts.rglob("_*models.yml"):
        for entry in yaml.safe_load(path.read_text(encoding="utf-8")).get("models", []):
            if entry["name"] == model:
                (found,) = [c["description"] for c in entry["columns"] if c["name"] == column]
                return found
    raise AssertionError(f"{model}.{column} is not described in dbt")


def test_metric_help_is_the_dbt_definition(sign_in) -> None:
    app = sign_in("finance", **FEBRUARY)
    cards = {card.label: card.proto.help for card in app.metric}
    assert cards["Net revenue (CNY)"] == _dbt_description("fct_order_lines", "net_reporting_amount")
    assert cards["Sales cycle (days)"] == _dbt_description("fct_deals", "cycle_days")
    assert cards["Revenue"].startswith(_dbt_description("fct_target_attainment", "actual_amount"))


def test_a_new_build_changes_every_cache_key(app_users, query) -> None:
    from app.data.connection import data_version

    before = data_version()
    query("insert into app_meta.refreshes values ('cache-probe', now() + interval '1 day', 1, 0)")
    try:
        assert data_version() != before
    finally:
        query("delete from app_meta.refreshes where invocation_id = 'cache-probe'")
    assert data_version() == before


HOSTILE = "11' or '1'='1; drop table marts.fct_orders; --"


def test_hostile_filter_values_stay_values(sign_in, query) -> None:
    from datetime import date

    from app.data.connection import Reader
    from app.data.sales import order_kpis
    from app.data.selection import Selection

    # From a link: a team that is not offered falls back to all teams (February's 64600).
    app = sign_in("finance", **FEBRUARY, team=HOSTILE, source="x'); --")
    assert metric(app, "Net revenue (CNY)") == "64,600.00"
    assert "team" not in app.query_params
    # Straight into a query: a bound parameter matching no team.
    figures = order_kpis(
        Reader("spw_finance", "hostile-test"),
        Selection(date(2026, 2, 1), date(2026, 3, 1), team_id=HOSTILE, rep_id=HOSTILE),
    )
    assert figures["orders"] == 0
    assert query("select count(*) from marts.fct_orders")[0][0] == 12


def test_data_health_accounts_for_every_row_of_every_file(sign_in) -> None:
    app = sign_in("finance", **FEBRUARY)
    app.switch_page("app_pages/data_health.py").run()
    assert not app.exception
    files = table_with(app, "File", "商机.csv")
    deals = files[(files["Source"] == "raw_crm_files") & (files["File"] == "商机.csv")]
    # 3 deal rows: QD-1 and QD-2 loaded, QD-3 rejected (its owner 赵六 is not in the mapping)
    assert deals[["Rows read", "Loaded", "Rejected", "Merged", "Adds up"]].values.tolist() == [
        ["3", "2", "1", "0", "✅"]
    ]
    assert any("商机.csv" in warning.value for warning in app.warning)
