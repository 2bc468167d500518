"""One real browser: headless Chromium (Debian's `chromium` and `chromium-driver` packages, which
`.ci/run` installs) signs in, switches page and language, and saves a screenshot to
`.state/test-artifacts/app_browser.png`."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from app.browser import chromium_installed, headless_chromium, served_app, sign_in, wait_for_heading
from ingestion.platform.paths import PROJECT_ROOT

SCREENSHOT = PROJECT_ROOT / ".state" / "test-artifacts" / "app_browser.png"

pytestmark = pytest.mark.skipif(
    not chromium_installed(),
    reason="headless Chromium is not installed here (apt-get install chromium chromium-driver; "
    ".ci/run installs both)",
)


@pytest.fixture
def app_url(app_users: Path, warehouse_url: str, tmp_path: Path) -> Iterator[str]:
    """The app served by `streamlit run` on a free port, on the test warehouse."""
    environment = {"WAREHOUSE_URL": warehouse_url, "APP_USERS_FILE": str(app_users)}
    with served_app(environment, tmp_path / "streamlit.log") as url:
        yield url


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
