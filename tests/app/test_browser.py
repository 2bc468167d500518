"""One real browser: headless Chromium (Debian's `chromium` and `chromium-driver` packages, which
`.ci/run` installs) signs in, switches page and language, and saves a screenshot to
`.state/test-artifacts/app_browser.png`."""

from __future__ import annotations

import base64
import json
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from app.browser import (
    chromium_installed,
    fill_sign_in,
    headless_chromium,
    served_app,
    sign_in,
    wait_for_heading,
)
from ingestion.platform.paths import PROJECT_ROOT

SCREENSHOT = PROJECT_ROOT / ".state" / "test-artifacts" / "app_browser.png"

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.skipif(
        not chromium_installed(),
        reason="headless Chromium is not installed here (apt-get install chromium chromium-driver; "
        ".ci/run installs both)",
    ),
]


def _serve(app_users: Path, warehouse_url: str, tmp_path: Path, **extra: str) -> Iterator[str]:
    environment = {
        "WAREHOUSE_URL": warehouse_url,
        "APP_USERS_FILE": str(app_users),
        "APP_STATE_DIR": str(tmp_path / "state"),
        **extra,
    }
    with served_app(environment, tmp_path / "streamlit.log") as url:
        yield url


@pytest.fixture
def app_url(app_users: Path, warehouse_url: str, tmp_path: Path) -> Iterator[str]:
    """The app served by `streamlit run` on a free port, on the test warehouse."""
    yield from _serve(app_users, warehouse_url, tmp_path)


@pytest.fixture
def app_url_on_march_2nd(app_users: Path, warehouse_url: str, tmp_path: Path) -> Iterator[str]:
    """The same app as it is on 2 March 2026 (`APP_TODAY`): the tiny company's latest month
    with data, March, has only just begun."""
    yield from _serve(app_users, warehouse_url, tmp_path, APP_TODAY="2026-03-02")


@pytest.fixture
def browser() -> Iterator[object]:
    with headless_chromium() as driver:
        yield driver


def test_sign_in_switch_page_and_language_in_chromium(app_url: str, browser, credentials) -> None:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    login, password = credentials("finance")
    sign_in(browser, app_url, login, password, language="zh")
    wait_for_heading(browser, "总览")

    browser.find_element(By.CSS_SELECTOR, "a[href$='/funnel']").click()
    wait_for_heading(browser, "销售漏斗")
    assert "/funnel" in browser.current_url and "lang=zh" in browser.current_url

    browser.find_element(By.XPATH, "//button[.//p[text()='English']]").click()
    wait_for_heading(browser, "Funnel")
    WebDriverWait(browser, 30).until(lambda driver: "lang=en" in driver.current_url)
    time.sleep(2)  # let the charts and tables finish drawing before the screenshot
    SCREENSHOT.parent.mkdir(parents=True, exist_ok=True)
    assert browser.save_screenshot(str(SCREENSHOT))
    assert SCREENSHOT.stat().st_size > 10_000


def test_a_deep_link_opens_its_page_with_its_filters_after_sign_in(
    app_url: str, browser, credentials
) -> None:
    login, password = credentials("manager")
    browser.get(f"{app_url}/team?lang=en&grain=month&period=2026-01&team=11")
    fill_sign_in(browser, login, password, "en")
    wait_for_heading(browser, "Team and reps")
    assert "/team?" in browser.current_url
    assert "period=2026-01" in browser.current_url and "team=11" in browser.current_url


def test_a_reload_and_a_new_tab_keep_the_viewer_signed_in_until_sign_out(
    app_url: str, browser, credentials
) -> None:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions as until
    from selenium.webdriver.support.ui import WebDriverWait

    login, password = credentials("finance")
    sign_in(browser, app_url, login, password, language="en")
    WebDriverWait(browser, 30).until(lambda driver: driver.get_cookie("spw_session"))
    payload = browser.get_cookie("spw_session")["value"].split(".")[0]
    claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    assert set(claims) == {"login", "iat", "exp"} and claims["login"] == login  # no password

    browser.refresh()
    wait_for_heading(browser, "Overview")
    assert not browser.find_elements(By.CSS_SELECTOR, "input[type=password]")

    first_tab = browser.current_window_handle
    browser.switch_to.new_window("tab")
    browser.get(f"{app_url}/funnel?lang=en")
    wait_for_heading(browser, "Funnel")
    second_tab = browser.current_window_handle

    browser.switch_to.window(first_tab)
    browser.find_element(By.XPATH, "//button[.//p[text()='Sign out']]").click()
    form = until.presence_of_element_located((By.CSS_SELECTOR, "input[type=password]"))
    WebDriverWait(browser, 30).until(form)
    # a reload here, or in the other tab, does not sign in again (the cookie is gone, and a copy
    # of it is refused by the server: tests/app/test_session.py)
    for tab in (first_tab, second_tab):
        browser.switch_to.window(tab)
        browser.refresh()
        WebDriverWait(browser, 30).until(form)


def _texts(browser, css: str) -> list[str]:
    from selenium.webdriver.common.by import By

    return [element.text for element in browser.find_elements(By.CSS_SELECTOR, css)]


def test_on_the_2nd_of_a_month_the_overview_opens_on_last_month_with_grouped_warnings(
    app_url_on_march_2nd: str, browser, credentials
) -> None:
    from selenium.webdriver.support.ui import WebDriverWait

    login, password = credentials("finance")
    sign_in(browser, app_url_on_march_2nd, login, password, language="en")
    # 2 of 31 days of March gone (6.5%, under the 20% threshold): February, complete, instead
    WebDriverWait(browser, 30).until(lambda driver: "period=2026-02" in driver.current_url)
    WebDriverWait(browser, 60).until(lambda driver: len(_texts(driver, "[data-testid=stAlert]")))
    time.sleep(2)  # every box drawn
    # One box per team and metric, ranked by money at stake (tests/app/test_manager_morning.py
    # works the figures out), fewer than the five shown before "Show all", so none is hidden.
    boxes = _texts(browser, "[data-testid=stAlert] [data-testid=stMarkdownContainer]")
    headlines = [text.splitlines()[0] for text in boxes]
    assert headlines == [
        "East B · Revenue · 15,200.00 at stake on the run rate",
        "East A · Deals won · 1 behind",
        "East A · Visits · 2 behind",
    ]
    assert not [text for text in _texts(browser, "[data-testid=stExpander]") if "Show all" in text]


@pytest.mark.parametrize(
    ("role", "first_tab", "first_name"),
    [("rep", "Rep", "Bob Li"), ("manager", "Team", "East A"), ("finance", "Company", "Company")],
)
def test_targets_open_non_empty_on_each_roles_own_scope(
    app_url: str, browser, credentials, role: str, first_tab: str, first_name: str
) -> None:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    login, password = credentials(role)
    browser.get(f"{app_url}/targets?lang=en&grain=month&period=2026-02")
    fill_sign_in(browser, login, password, "en")
    wait_for_heading(browser, "Targets and attainment")
    WebDriverWait(browser, 60).until(lambda driver: _texts(driver, "[role=gridcell]"))
    selected = _texts(browser, "[role=tab][aria-selected=true]")
    assert selected == [first_tab]
    # the grid draws on a canvas; its cells' text is in an accessibility layer kept off screen
    cells = browser.find_elements(By.CSS_SELECTOR, "[role=gridcell]")
    assert first_name in [cell.get_attribute("textContent") for cell in cells]


def test_the_funnel_has_no_lost_stage_inside(app_url: str, browser, credentials, query) -> None:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    ((won, lost),) = query(
        "select max(stage_label) filter (where is_won),"
        " max(stage_label) filter (where is_lost)"
        " from marts.dim_pipeline_stages where pipeline_id = 'default'"
    )
    login, password = credentials("finance")
    browser.get(f"{app_url}/funnel?lang=en&grain=quarter&period=2026-01")
    fill_sign_in(browser, login, password, "en")
    wait_for_heading(browser, "Funnel")
    title = "Deals entering each stage, then won"
    chart = f"//*[name()='svg'][.//*[name()='text'][text()='{title}']]"
    WebDriverWait(browser, 60).until(lambda driver: driver.find_elements(By.XPATH, chart))
    funnel = browser.find_elements(By.XPATH, chart)[0]
    stages = [
        label.text
        for label in funnel.find_elements(By.CSS_SELECTOR, "g.role-axis-label text")
        if label.text and not label.text.isdigit()
    ]
    # open stages in the pipeline's order, then won; the lost stage only in the chart beside it
    assert len(stages) >= 3 and stages[-1] == won and lost not in stages
    lost_chart = "//*[name()='svg'][.//*[name()='text'][text()='Deals lost at each stage']]"
    assert browser.find_elements(By.XPATH, lost_chart)
