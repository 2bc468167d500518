"""The app in a real browser: serve it with `streamlit run`, drive it with headless Chromium.

Chromium and its driver are Debian's `chromium` and `chromium-driver` packages (`.ci/run` installs
them); Selenium is told never to download a browser or driver of its own. Used by the browser test
and by `app.screenshot`, which makes the README's screenshot.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import tempfile
import time
import urllib.request
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from app.launch import app_command
from ingestion.platform.paths import PROJECT_ROOT

# Selenium must use the chromedriver given below, never download one.
os.environ.setdefault("SE_OFFLINE", "true")

CHROMIUM = Path("/usr/bin/chromium")
CHROMEDRIVER = Path("/usr/bin/chromedriver")


def chromium_installed() -> bool:
    """Whether Debian's Chromium and its driver are present."""
    return CHROMIUM.exists() and CHROMEDRIVER.exists()


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextmanager
def served_app(environment: Mapping[str, str], log_path: Path) -> Iterator[str]:
    """The app on a free local port with `environment` added to ours; yields its base URL once
    Streamlit answers its health check (the log is in `log_path` if it never does)."""
    port = _free_port()
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            app_command(port),
            env={**os.environ, **environment},
            cwd=PROJECT_ROOT,  # where Streamlit finds the app's theme (.streamlit/config.toml)
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
                except OSError as error:
                    if time.monotonic() > deadline:
                        raise RuntimeError(
                            f"the app did not start within 60 s; its log: {log_path}"
                        ) from error
                    time.sleep(0.5)
            yield f"http://127.0.0.1:{port}"
        finally:
            process.terminate()
            process.wait(timeout=20)


@contextmanager
def headless_chromium(width: int = 1400, height: int = 1000) -> Iterator[Any]:
    """A Selenium driver of headless Chromium with a throw-away profile."""
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
        "--hide-scrollbars",
        f"--user-data-dir={profile}",
        f"--window-size={width},{height}",
    ):
        options.add_argument(flag)
    driver = webdriver.Chrome(service=Service(str(CHROMEDRIVER)), options=options)
    # Chromium keeps a window at least ~500 px wide; a phone's width needs its emulation.
    driver.execute_cdp_cmd(
        "Emulation.setDeviceMetricsOverride",
        {"width": width, "height": height, "deviceScaleFactor": 1, "mobile": width < 600},
    )
    try:
        yield driver
    finally:
        driver.quit()
        shutil.rmtree(profile, ignore_errors=True)


def wait_for_heading(browser: Any, text: str, timeout_s: int = 30) -> None:
    """Wait until the page shows an `h1` containing `text`."""
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions as until
    from selenium.webdriver.support.ui import WebDriverWait

    WebDriverWait(browser, timeout_s).until(
        until.presence_of_element_located((By.XPATH, f"//h1[contains(., '{text}')]"))
    )


def fill_sign_in(browser: Any, login: str, password: str, language: str) -> None:
    """Sign in through the form on the page the browser is on (any page: a shared link's too)."""
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions as until
    from selenium.webdriver.support.ui import WebDriverWait

    from app.i18n import catalogue

    labels = catalogue(language)
    WebDriverWait(browser, 30).until(
        until.presence_of_element_located((By.CSS_SELECTOR, "input[type=password]"))
    )
    login_box = f"input[aria-label='{labels['auth.login']}']"
    browser.find_element(By.CSS_SELECTOR, login_box).send_keys(login)
    browser.find_element(By.CSS_SELECTOR, "input[type=password]").send_keys(password)
    browser.find_element(By.XPATH, f"//button[.//p[text()='{labels['auth.sign_in']}']]").click()


def sign_in(browser: Any, base_url: str, login: str, password: str, language: str) -> None:
    """Open the app in `language` (`en` or `zh`) and sign in through its form."""
    from selenium.webdriver.support.ui import WebDriverWait

    from app.i18n import catalogue
    from app.session import COOKIE

    browser.get(f"{base_url}/?lang={language}")
    fill_sign_in(browser, login, password, language)
    wait_for_heading(browser, catalogue(language)["pages.overview"])
    # The session cookie is written by a script the first page runs after sign-in: a page
    # opened before it lands starts a session that is not signed in (the likely cause of a
    # month-end browser test that once timed out waiting for its heading).
    WebDriverWait(browser, 30).until(lambda driver: driver.get_cookie(COOKIE))
