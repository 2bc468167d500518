"""One real browser: headless Chromium (Debian's `chromium` and `chromium-driver` packages, which
`.ci/run` installs) signs in, switches page and language, and saves a screenshot to
`.state/test-artifacts/app_browser.png`."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from orchestration.serve import app_command
from orchestration.warehouse import PROJECT_ROOT

# Selenium must use the chromedriver given below, never download one.
os.environ.setdefault("SE_OFFLINE", "true")

CHROMIUM = Path("/usr/bin/chromium")
CHROMEDRIVER = Path("/usr/bin/chromedriver")
SCREENSHOT = PROJECT_ROOT / ".state" / "test-artifacts" / "app_browser.png"

pytestmark = pytest.mark.skipif(
    not (CHROMIUM.exists() and CHROMEDRIVER.exists()),
    reason="headless Chromium is not installed here (apt-get install chromium chromium-driver; "
    ".ci/run installs both)",
)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def app_url(app_users, warehouse_url: str, tmp_path: Path) -> Iterator[str]:
    """The app served by `streamlit run` on a free port, on the test warehouse."""
    port = _free_port()
    log = (tmp_path / "streamlit.log").open("wb")
    process = subprocess.Popen(
        app_command(port),
        env={**os.environ, "WAREHOUSE_URL": warehouse_url, "APP_USERS_FILE": str(app_users)},
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}/_stcore/health", timeout=2)
                break
            except OSError:
                assert time.monotonic() < deadline, (tmp_path / "streamlit.log").read_text()
                time.sleep(0.5)
        yield f"http://127.0.0.1:{port}"
    finally:
        process.terminate()
        process.wait(timeout=20)
        log.close()


@pytest.fixture
def browser() -> Iterator[object]:
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    profile = tempfile.mkdtemp(prefix="spw-chromium-")
    for flag in (
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-background-networking",
        "--disable-component-update",
        "--no-first-run",
        f"--user-data-dir={profile}",
        "--window-size=1400,1000",
    ):
        options.add_argument(flag)
    driver = webdriver.Chrome(service=Service(str(CHROMEDRIVER)), options=options)
    try:
        yield driver
    finally:
        driver.quit()
        shutil.rmtree(profile, ignore_errors=True)


def test_sign_in_switch_page_and_language_in_chromium(app_url: str, browser, credentials) -> None:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions as until
    from selenium.webdriver.support.ui import WebDriverWait

    wait = WebDriverWait(browser, 30)

    def heading(text: str) -> None:
        wait.until(until.presence_of_element_located((By.XPATH, f"//h1[contains(., '{text}')]")))

    browser.get(f"{app_url}/?lang=zh")
    wait.until(until.presence_of_element_located((By.CSS_SELECTOR, "input[type=password]")))
    login, password = credentials("finance")
    browser.find_element(By.CSS_SELECTOR, "input[aria-label='登录名']").send_keys(login)
    browser.find_element(By.CSS_SELECTOR, "input[type=password]").send_keys(password)
    browser.find_element(By.XPATH, "//button[.//p[text()='登录']]").click()
    heading("总览")

    browser.find_element(By.CSS_SELECTOR, "a[href$='/funnel']").click()
    heading("销售漏斗")
    assert "/funnel" in browser.current_url and "lang=zh" in browser.current_url

    browser.find_element(By.XPATH, "//button[.//p[text()='English']]").click()
    heading("Funnel")
    wait.until(lambda driver: "lang=en" in driver.current_url)
    time.sleep(2)  # let the charts and tables finish drawing before the screenshot
    SCREENSHOT.parent.mkdir(parents=True, exist_ok=True)
    assert browser.save_screenshot(str(SCREENSHOT))
    assert SCREENSHOT.stat().st_size > 10_000
