"""`make screenshot`: the README's picture of the app, taken from the demo warehouse.

Serves the app on a free port with a throw-away users file (one login, random password), signs in
with headless Chromium, opens each page named below once everything has drawn, and saves
`docs/images/<page>.png`. Needs the marts (`make pipeline`) and Debian's `chromium`.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

from app.browser import chromium_installed, headless_chromium, served_app, sign_in
from app.demo_logins import create_demo_logins
from ingestion.platform.paths import PROJECT_ROOT
from ingestion.platform.warehouse_url import export_environment, warehouse_url

IMAGES = PROJECT_ROOT / "docs" / "images"
PAGES = ("overview", "targets", "commissions")


def _wait_until_drawn(browser: object, quiet_s: float = 3.0, timeout_s: float = 90.0) -> None:
    """Wait until Streamlit has shown no "running" indicator for `quiet_s` seconds."""
    from selenium.webdriver.common.by import By

    deadline = time.monotonic() + timeout_s
    quiet_since = time.monotonic()
    while time.monotonic() < deadline:
        if browser.find_elements(By.CSS_SELECTOR, "[data-testid='stStatusWidget']"):
            quiet_since = time.monotonic()
        elif time.monotonic() - quiet_since >= quiet_s:
            return
        time.sleep(0.25)


def take(role: str, language: str, pages: tuple[str, ...]) -> list[Path]:
    """Screenshots of `pages` as the demo's `role` login; returns the files written."""
    from selenium.webdriver.common.by import By

    export_environment()
    url = warehouse_url()
    IMAGES.mkdir(parents=True, exist_ok=True)
    written = []
    with tempfile.TemporaryDirectory(prefix="spw-screenshot-") as scratch:
        users = Path(scratch) / "users.toml"
        logins = {login.role: login for login in create_demo_logins(url, users)}
        if role not in logins:
            raise SystemExit(f"screenshot: the demo has no {role} login yet: run `make pipeline`")
        environment = {"WAREHOUSE_URL": url, "APP_USERS_FILE": str(users)}
        with (
            served_app(environment, Path(scratch) / "streamlit.log") as base_url,
            headless_chromium(1440, 1100) as browser,
        ):
            sign_in(browser, base_url, logins[role].login, logins[role].password, language)
            for page in pages:
                if page != "overview":
                    browser.find_element(By.CSS_SELECTOR, f"a[href$='/{page}']").click()
                _wait_until_drawn(browser)
                target = IMAGES / f"{page}.png"
                browser.save_screenshot(str(target))
                written.append(target)
                print(f"screenshot: {target.relative_to(PROJECT_ROOT)}", file=sys.stderr)
    return written


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--role", default="manager", choices=["finance", "manager", "rep"])
    parser.add_argument("--language", default="en", choices=["en", "zh"])
    parser.add_argument("--pages", nargs="+", default=list(PAGES))
    args = parser.parse_args()
    if not chromium_installed():
        raise SystemExit("screenshot: needs Debian's chromium and chromium-driver packages")
    take(args.role, args.language, tuple(args.pages))


if __name__ == "__main__":
    main()
