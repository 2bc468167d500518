"""The app's "today": the real date, or `APP_TODAY` (YYYY-MM-DD) to show the app as it looks on a
given day, e.g. the 2nd of a month in a demo or in the browser test, when every period choice and
pace warning depends on how much of the month has passed."""

from __future__ import annotations

import os
from datetime import date

TODAY_ENV = "APP_TODAY"


def today() -> date:
    """`APP_TODAY` if set, else the date on this machine; a malformed value stops the app with
    the fix named rather than falling back silently."""
    raw = os.environ.get(TODAY_ENV, "").strip()
    if not raw:
        return date.today()
    try:
        return date.fromisoformat(raw)
    except ValueError as error:
        raise ValueError(
            f"{TODAY_ENV}={raw!r} is not a date: give it as YYYY-MM-DD (e.g. 2026-03-02), "
            "or unset it to use today's date"
        ) from error
