"""What a manager hit opening the app in the morning (issue 18), on the tiny company's marts
(tests/fixtures/README.md), with the figures worked out by hand. The marts' data date is
2026-03-20, so March 2026 is 20 / 31 = 64.5% gone; January and February are closed."""

from __future__ import annotations

from datetime import date

import pytest
from streamlit.testing.v1 import AppTest

from app.data.connection import Reader
from app.data.funnel import lead_source_quality
from app.data.selection import Selection
from tests.app.conftest import APP, LOGINS, password_of
from tests.app.test_pages import metric, table_with

FEBRUARY = {"lang": "en", "grain": "month", "period": "2026-02"}


def warnings(app: AppTest) -> list[str]:
    """The headline (first line) of each warning box, in page order."""
    return [box.value.splitlines()[0] for box in app.warning]


def test_a_session_without_a_period_opens_on_the_latest_month_with_data(sign_in) -> None:
    app = sign_in("finance", lang="en")
    # orders and deals run to March 2026, which is long over by today (the test's clock)
    assert app.selectbox(key="filter_period").value == "2026-03"
    assert app.query_params["period"] == "2026-03"


def test_warnings_are_grouped_by_team_and_metric_and_ranked_by_money(sign_in) -> None:
    app = sign_in("finance", **FEBRUARY)
    # February, closed, behind (= missed): Carol (East B from 02-01) revenue 4800 of 20000 and
    # East B itself likewise -> one group, 15200 at stake; Alice (East A) visits 0 of 4 and
    # East A visits 1 of 4 -> (4 + 3) / (4 + 4) = 87.5% short; Alice deals won 0 of 1 -> 100%.
    assert warnings(app) == [
        "**East B · Revenue** · 15,200.00 at stake on the run rate",
        "**East A · Deals won** · 1 behind",
        "**East A · Visits** · 2 behind",
    ]
    (east_b, *_) = app.warning
    assert east_b.value.splitlines()[1:] == [
        "- Team East B: 24.0% of target with 100.0% of the period gone; "
        "on this run rate 4,800.00 of 20,000.00.",
        "- Rep Carol Zhang: 24.0% of target with 100.0% of the period gone; "
        "on this run rate 4,800.00 of 20,000.00.",
    ]
    # the warnings follow the filters: East A keeps its two groups, Carol only her own row
    app.selectbox(key="filter_team").set_value("11").run()
    assert warnings(app) == ["**East A · Deals won** · 1 behind", "**East A · Visits** · 2 behind"]
    app.selectbox(key="filter_team").set_value("").run()
    app.selectbox(key="filter_rep").set_value("103").run()
    assert warnings(app) == ["**East B · Revenue** · 15,200.00 at stake on the run rate"]
    assert len(app.warning[0].value.splitlines()) == 2


def test_a_manager_sees_a_few_warnings_and_the_rest_behind_show_all(sign_in, monkeypatch) -> None:
    monkeypatch.setattr("app.alerts.SHOWN_GROUPS", 2)
    app = sign_in("manager", lang="en", grain="quarter", period="2026-01")
    # Q1 (87.8% gone) for Alice's teams East A and East B; money at stake = target - projection:
    # East B: team 45000 - 21987.34 = 23012.66, Carol 65000 - 21987.34 = 43012.66 -> 43012.66;
    # East A: team 68000 - 67101.27 = 898.73 (no rep behind on revenue); then the counts:
    # Alice deals won 2 - 0 = 100% short; visits team 12 - 4.56 and Alice 12 - 2.28 -> 71.5%
    assert warnings(app) == [
        "**East B · Revenue** · 43,012.66 at stake on the run rate",
        "**East A · Revenue** · 898.73 at stake on the run rate",
        "**East A · Deals won** · 1 behind",
        "**East A · Visits** · 2 behind",
    ]
    assert [box.label for box in app.expander] == ["Show all (2 more)"]
    assert app.caption.values.count(
        "4 team and metric groups behind pace, ranked by the revenue at stake (target minus the "
        "run-rate projection, reporting currency), then by the share of target missed; "
        "the first 2 shown."
    )


def test_no_warning_before_the_threshold_share_of_the_period(sign_in, monkeypatch) -> None:
    monkeypatch.setenv("APP_ALERT_MIN_ELAPSED", "0.7")
    app = sign_in("finance", lang="en", grain="month", period="2026-03")
    assert app.warning.values == []
    assert app.info.values == [
        "Only 64.5% of the period has passed: warnings start at 70.0% (APP_ALERT_MIN_ELAPSED), "
        "before then everyone reads as behind."
    ]


def test_an_actual_without_a_target_is_still_shown(sign_in) -> None:
    app = sign_in("finance", **FEBRUARY, rep="102")
    # Bob has a revenue target only; in February he won deal 1001 (02-03) and visited once (2004)
    assert metric(app, "Revenue") == "29,800.00"
    assert metric(app, "Deals won") == "1"
    assert metric(app, "Visits") == "1"
    # no target for deals won, visits or new customers: three notes beside their numbers
    assert app.caption.values.count("No target for this period.") == 3


def test_a_deep_link_keeps_its_page_and_filters_through_sign_in(app_users) -> None:
    app = AppTest.from_file(str(APP), default_timeout=60)
    app.query_params.update({"lang": "en", "grain": "month", "period": "2026-01", "team": "11"})
    app.run()
    app.switch_page("app_pages/team.py")
    app.text_input(key="login_name").input(LOGINS["manager"].login)
    app.text_input(key="login_password").input(password_of("manager"))
    app.button[0].click().run()
    assert not app.exception, app.exception
    assert app.title.values == ["Team and reps"]
    assert app.selectbox(key="filter_team").value == "11"
    assert app.selectbox(key="filter_period").value == "2026-01"


@pytest.mark.parametrize(
    ("role", "first_tab", "first_name"),
    [("rep", "Rep", "Bob Li"), ("manager", "Team", "East A"), ("finance", "Company", "Company")],
)
def test_targets_open_on_the_viewers_own_scope(
    sign_in, role: str, first_tab: str, first_name: str
) -> None:
    app = sign_in(role, **FEBRUARY)
    app.switch_page("app_pages/targets.py").run()
    assert app.tabs[0].label == first_tab
    first_table = app.dataframe[0].value
    assert first_table["Name"].iloc[0] == first_name


def test_targets_say_short_by_or_ahead_by_and_colour_the_pace(sign_in) -> None:
    app = sign_in("finance", **FEBRUARY)
    app.switch_page("app_pages/targets.py").run()
    reps = table_with(app, "Short by / ahead by", holding="Bob Li").set_index("Name")
    # Bob 29800 against 12000: ahead by 17800; Carol 4800 against 20000: short by 15200, pace
    # 24% (under 80% of pace: red); Dan 30000 against 20000
    assert reps.loc["Bob Li", "Short by / ahead by"] == "ahead by 17,800.00"
    assert reps.loc["Bob Li", "Status"] == "On pace"
    assert reps.loc["Carol Zhang", "Short by / ahead by"] == "short by 15,200.00"
    assert reps.loc["Carol Zhang", "Status"] == "Behind"
    # Q1: East A at 86.6% with 87.8% gone, pace 98.7%: behind, but within 80% of pace (amber)
    app.selectbox(key="filter_grain").set_value("quarter").run()
    teams = table_with(app, "Status", holding="East A").set_index("Name")
    assert teams.loc["East A", "Status"] == "Slightly behind"
    assert teams.loc["East A", "Short by / ahead by"] == "short by 9,100.00"


def test_lead_sources_are_judged_on_a_cohort_with_open_deals_shown(sign_in) -> None:
    app = sign_in("finance", **FEBRUARY)
    app.switch_page("app_pages/funnel.py").run()
    # six months to February: created Sep 2025 - Feb 2026, as they stand on 2026-03-20:
    # referral 1001 won, 1004 open; website 1002 lost, QD-2 lost; trade_show 1003 and QD-1 won;
    # cold_call 1005 lost; partner 1007 won
    sources = table_with(app, "Lead source").set_index("Lead source")
    assert sources.loc["Referral", ["Deals created", "Won", "Still open", "Win rate"]].tolist() == [
        "2",
        "1",
        "1",
        "100.0%",
    ]
    assert sources.loc["Website", ["Won", "Lost", "Win rate"]].tolist() == ["0", "2", "0.0%"]
    assert any("created 2025-09-01 to 2026-02-28" in caption for caption in app.caption.values)
    # February's own cohort (the one-month choice): 1004 referral (open), 1007 partner (won),
    # QD-2 website (lost)
    february = lead_source_quality(
        Reader("spw_finance", "cohort-test"), Selection(date(2026, 2, 1), date(2026, 3, 1))
    ).set_index("lead_source")
    assert february[["deals_created", "deals_won", "deals_lost", "deals_open"]].to_dict(
        "index"
    ) == {
        "partner": {"deals_created": 1, "deals_won": 1, "deals_lost": 0, "deals_open": 0},
        "referral": {"deals_created": 1, "deals_won": 0, "deals_lost": 0, "deals_open": 1},
        "website": {"deals_created": 1, "deals_won": 0, "deals_lost": 1, "deals_open": 0},
    }


def test_the_team_leaderboard_shows_revenue_against_target(sign_in) -> None:
    app = sign_in("finance", **FEBRUARY, team="11")
    app.switch_page("app_pages/team.py").run()
    board = table_with(app, "Revenue target").set_index("Rep")
    # East A in February: Bob 29800 against 12000 (248.3%); Alice sold nothing, has no target
    assert board.loc["Bob Li", ["Net revenue", "Revenue target", "Attainment"]].tolist() == [
        "29,800.00",
        "12,000.00",
        "248.3%",
    ]
    assert board.loc["Alice Wang", "Revenue target"] == "no target"


def test_chinese_pages_translate_data_values(sign_in) -> None:
    app = sign_in("finance", lang="zh", grain="month", period="2026-01")
    app.switch_page("app_pages/funnel.py").run()
    sources = table_with(app, "线索来源")
    # created in the six months to January: 1001 referral, 1002 website, 1003 and QD-1
    # trade_show, 1005 cold_call
    assert sorted(sources["线索来源"]) == sorted(["转介绍", "官网", "展会", "陌生拜访电话"])
