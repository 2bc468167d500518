"""Month-end in a real browser (headless Chromium, as tests/app/test_browser.py): a rep has no
such page, the manager approves her teams, finance approves the month and asks for the close.
What each click wrote is read back from `commission_ops`."""

from __future__ import annotations

import pytest

from app.browser import (
    chromium_installed,
    headless_chromium,
    sign_in,
    wait_for_heading,
)
from tests.app import test_browser, test_month_end

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.skipif(
        not chromium_installed(),
        reason="headless Chromium is not installed here (apt-get install chromium chromium-driver)",
    ),
]
# the app served by `streamlit run` on the test warehouse; no approvals left by other tests
app_url = test_browser.app_url
clean_month_end = test_month_end.clean_month_end
ALICE_TEAMS = {"11": "East A", "12": "East B"}


def _click(browser, label_start: str) -> None:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions as until
    from selenium.webdriver.support.ui import WebDriverWait

    button = (By.XPATH, f"//button[.//p[starts-with(normalize-space(.), '{label_start}')]]")
    WebDriverWait(browser, 30).until(until.element_to_be_clickable(button)).click()


def _wait_for_text(browser, text: str) -> None:
    from selenium.webdriver.support.ui import WebDriverWait

    WebDriverWait(browser, 30).until(lambda driver: text in driver.page_source)


def _wait_for_approval(query, period, scope_type: str, scope_id: str) -> None:
    """Wait until the database holds the approval a click asked for. The page's message is no
    proof: after a second click the first one's "Approved" is still on the page until the rerun
    replaces it, and a browser closed before that rerun would lose the second approval."""
    import time

    deadline = time.monotonic() + 30
    sql = (
        "select count(*) from commission_ops.approval_status where period_start = %s"
        " and scope_type = %s and scope_id = %s and status = 'valid'"
    )
    while query(sql, (period, scope_type, scope_id))[0][0] == 0:
        assert time.monotonic() < deadline, f"no {scope_type} approval for {scope_id} after 30 s"
        time.sleep(0.2)


def _month_end(browser, base_url: str, credentials, role: str) -> None:
    login, password = credentials(role)
    browser.delete_all_cookies()
    sign_in(browser, base_url, login, password, language="en")
    browser.get(f"{base_url}/month_end?lang=en")
    wait_for_heading(browser, "Month-end")


def test_review_approve_and_close_by_role(
    app_url: str,
    credentials,
    query,
    clean_month_end,
) -> None:
    from selenium.webdriver.common.by import By

    with headless_chromium() as browser:
        login, password = credentials("rep")
        sign_in(browser, app_url, login, password, language="en")
        assert not browser.find_elements(By.CSS_SELECTOR, "a[href$='/month_end']")

    (oldest,) = query("select min(period_start) from marts.fct_payouts where status = 'open'")[0]
    month = f"{oldest:%Y-%m}"
    needed = [
        team
        for (team,) in query(
            "select scope_id from commission_ops.close_checklist(%s) where scope_type = 'team'",
            (oldest,),
        )
    ]
    with headless_chromium() as browser:
        _month_end(browser, app_url, credentials, "manager")
        _wait_for_text(browser, "By team")
        for team in needed:
            if team in ALICE_TEAMS:
                _click(browser, f"Approve {ALICE_TEAMS[team]} for {month}")
                _wait_for_approval(query, oldest, "team", team)
                _wait_for_text(browser, "Approved (approval")
    others = [team for team in needed if team not in ALICE_TEAMS]
    for team in others:  # Dan's team 21, approved in his own session
        query(
            "select set_config('role', db_role, true), commission_ops.approve(%s, 'team', %s,"
            " 'dan', null) from app_meta.viewers where rep_id = '104'",
            (oldest, team),
        )
    with headless_chromium() as browser:
        _month_end(browser, app_url, credentials, "finance")
        _click(browser, f"Approve the month {month}")
        _wait_for_approval(query, oldest, "company", "company")
        _wait_for_text(browser, "Approved (approval")
        _click(browser, f"Close month {month}")
        _wait_for_text(browser, "Close requested (request")

    assert query(
        "select scope_type, scope_id, approved_by, status from commission_ops.approval_status"
        " where period_start = %s order by 1 desc, 2",
        (oldest,),
    ) == [
        *(
            ("team", team, "alice" if team in ALICE_TEAMS else "dan", "valid")
            for team in sorted(needed)
        ),
        ("company", "company", "fiona", "valid"),
    ]
    assert query(
        "select period_start, requested_by, status from commission_ops.close_request_status"
    ) == [(oldest, "fiona", "pending")]
