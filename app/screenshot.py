"""`make screenshot`: pictures of every page of the app, taken from the demo warehouse.

Serves the app on a free port with a throw-away users file (random passwords), signs in with
headless Chromium as finance (every page has data for finance, and only finance has the data
health page), and saves each page at a desktop (1440 px) and a phone (390 px) width in both
languages as `docs/images/<page>_<language>_<width>.png`, so a reviewer sees what a manager sees on
either screen. Needs the marts (`make pipeline`), Debian's `chromium` and, for the Chinese
pages, a CJK font (`fonts-noto-cjk`, which `.ci/run` installs). PNGs are reduced to a 256-colour
palette (Pillow) to keep the repository small.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

from app.browser import chromium_installed, headless_chromium, served_app, sign_in
from app.demo_logins import create_demo_logins
from app.i18n import LANGUAGES
from ingestion.platform.paths import PROJECT_ROOT
from ingestion.platform.warehouse_url import export_environment, warehouse_url

IMAGES = PROJECT_ROOT / "docs" / "images"
# URL path of each page (app/streamlit_app.py), in the navigation's order.
PAGES = ("overview", "targets", "funnel", "team", "customers", "commissions", "data_health")
# Window (width, height) in CSS pixels: a laptop, and a phone held upright with its page scrolled
# as far as a manager would read without scrolling twice.
WINDOWS = {1440: 1000, 390: 1500}


def _wait_until_drawn(browser: object, quiet_s: float = 3.0, timeout_s: float = 90.0) -> None:
    """Wait until Streamlit has shown no "running" indicator and no placeholder of an element
    still loading for `quiet_s` seconds."""
    from selenium.webdriver.common.by import By

    busy = "[data-testid='stStatusWidget'], [data-testid='stSkeleton']"
    deadline = time.monotonic() + timeout_s
    quiet_since = time.monotonic()
    while time.monotonic() < deadline:
        if browser.find_elements(By.CSS_SELECTOR, busy):
            quiet_since = time.monotonic()
        elif time.monotonic() - quiet_since >= quiet_s:
            return
        time.sleep(0.25)


def image_path(page: str, language: str, width: int) -> Path:
    return IMAGES / f"{page}_{language}_{width}.png"


def shrink(path: Path) -> None:
    """Rewrite a screenshot as a 256-colour palette PNG: a third of the size, text still sharp."""
    from PIL import Image

    with Image.open(path) as image:
        reduced = image.convert("RGB").quantize(colors=256, method=Image.Quantize.MEDIANCUT)
    reduced.save(path, optimize=True)


def take(
    role: str, languages: tuple[str, ...], pages: tuple[str, ...], widths: tuple[int, ...]
) -> list[Path]:
    """Screenshots of `pages` as the demo's `role` login; returns the files written."""
    export_environment()
    url = warehouse_url()
    IMAGES.mkdir(parents=True, exist_ok=True)
    written = []
    with tempfile.TemporaryDirectory(prefix="spw-screenshot-") as scratch:
        users = Path(scratch) / "users.toml"
        logins = {login.role: login for login in create_demo_logins(url, users)}
        if role not in logins:
            raise SystemExit(f"screenshot: the demo has no {role} login yet: run `make pipeline`")
        environment = {
            "WAREHOUSE_URL": url,
            "APP_USERS_FILE": str(users),
            # no "File change, rerun" banner in a picture while the code is being edited
            "STREAMLIT_SERVER_FILE_WATCHER_TYPE": "none",
        }
        with served_app(environment, Path(scratch) / "streamlit.log") as base_url:
            for width in widths:
                with headless_chromium(width, WINDOWS[width]) as browser:
                    sign_in(browser, base_url, logins[role].login, logins[role].password, "en")
                    for language in languages:
                        for page in pages:
                            path = "" if page == PAGES[0] else page  # the default page is /
                            browser.get(f"{base_url}/{path}?lang={language}")
                            _wait_until_drawn(browser)
                            target = image_path(page, language, width)
                            browser.save_screenshot(str(target))
                            shrink(target)
                            written.append(target)
                            print(
                                f"screenshot: {target.relative_to(PROJECT_ROOT)}", file=sys.stderr
                            )
    return written


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--role", default="finance", choices=["finance", "manager", "rep"])
    parser.add_argument("--languages", nargs="+", default=list(LANGUAGES), choices=LANGUAGES)
    parser.add_argument("--pages", nargs="+", default=list(PAGES), choices=PAGES)
    parser.add_argument("--widths", nargs="+", type=int, default=list(WINDOWS), choices=WINDOWS)
    args = parser.parse_args()
    if not chromium_installed():
        raise SystemExit("screenshot: needs Debian's chromium and chromium-driver packages")
    take(args.role, tuple(args.languages), tuple(args.pages), tuple(args.widths))


if __name__ == "__main__":
    main()
