"""The Forecast page on the tiny company (tests/fixtures/README.md) as each role sees it.

Data date 2026-03-20: the forecast of March (tests/forecast/test_forecast_on_tiny_company.py
works its figures out). Bob (102) won 1007 (8000.00) in March and has nothing open; no deal has
ever closed within the 11 days left, so none is expected from deals not yet created. Carol (103,
East B) won 1003 (14500.00) and has 1004 (6000.00) open at 0.2, its close date pushed once.
"""

from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest

PAGE = "app_pages/forecast.py"


def _tables(app: AppTest, column: str) -> list:
    return [frame.value for frame in app.dataframe if column in frame.value.columns]


@pytest.mark.parametrize(
    ("role", "p50", "p90"),
    [
        ("finance", ["22,500.00"], ["28,500.00"]),  # the company first
        ("manager", ["8,000.00", "14,500.00"], ["8,000.00", "20,500.00"]),  # East A, East B
        ("rep", ["8,000.00"], ["8,000.00"]),  # Bob alone
    ],
)
def test_the_forecast_page_shows_each_role_its_own_scopes(sign_in, role, p50, p90) -> None:
    app = sign_in(role, lang="en")
    app.switch_page(PAGE).run()
    assert not app.exception, app.exception
    assert [title.value for title in app.title] == ["Forecast"]
    first_tab = _tables(app, "P50")[0]
    assert first_tab["P50"].tolist() == p50
    assert first_tab["P90"].tolist() == p90
    deals = _tables(app, "Win probability")
    if role == "rep":
        assert deals == []  # Bob has no open deal due; Carol's is not his to see
    else:
        # 1004's close date was pushed from 03-12 to 03-21 on 02-17
        assert deals[0][["Rep", "Amount", "Win probability", "Slippage"]].values.tolist() == [
            ["103", "6,000.00", "20%", "pushed 1×"]
        ]
    track = _tables(app, "WAPE")
    assert track and set(track[0]["Method"]) == {"CRM-weighted", "Commit", "Best case", "Empirical"}


def test_the_forecast_page_speaks_chinese(sign_in) -> None:
    app = sign_in("finance", lang="zh")
    app.switch_page(PAGE).run()
    assert not app.exception, app.exception
    assert [title.value for title in app.title] == ["销售预测"]


def test_the_expected_commission_shows_a_rep_their_own_and_a_manager_their_team(sign_in) -> None:
    # tests/forecast/test_expected_commission.py works these out: if 1004 (6000.00 x 0.2 =
    # 1200.00 expected) closes, Carol earns 551.00 + 36.00 = 587.00 and Alice's override 6.00 more.
    manager = sign_in("manager", lang="en")
    manager.switch_page(PAGE).run()
    assert not manager.exception, manager.exception
    (team,) = _tables(manager, "Added if they close")
    by_rep = team.set_index("Rep")
    assert list(by_rep.index) == ["Alice Wang", "Bob Li", "Carol Zhang"]
    assert by_rep.loc["Carol Zhang", ["Expected deals", "Expected revenue"]].tolist() == [
        1,
        "1,200.00",
    ]
    assert by_rep.loc["Carol Zhang", ["Commission booked", "Expected commission"]].tolist() == [
        "551.00",
        "587.00",
    ]
    assert by_rep["Added if they close"].tolist() == ["6.00", "0.00", "36.00"]

    rep = sign_in("rep", lang="en")
    rep.switch_page(PAGE).run()
    assert not rep.exception, rep.exception
    (own,) = _tables(rep, "Added if they close")
    assert own["Rep"].tolist() == ["Bob Li"]  # Bob alone: row-level security
    assert [info.value for info in rep.info if "you earn" in info.value] == [
        f"No open deal of yours is due this month: you earn {own['Commission booked'][0]} CNY as"
        " booked so far."
    ]
