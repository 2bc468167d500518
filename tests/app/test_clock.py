"""`APP_TODAY`: the app shown as on a given day, and a wrong value refused with the fix named."""

from __future__ import annotations

from datetime import date

import pytest

from app.clock import today


def test_the_app_today_is_app_today_when_set(monkeypatch) -> None:
    monkeypatch.setenv("APP_TODAY", "2026-03-02")
    assert today() == date(2026, 3, 2)
    monkeypatch.delenv("APP_TODAY")
    assert today() == date.today()


def test_a_malformed_app_today_names_the_fix(monkeypatch) -> None:
    monkeypatch.setenv("APP_TODAY", "02/03/2026")
    with pytest.raises(
        ValueError, match=r"APP_TODAY='02/03/2026' is not a date: give it as YYYY-MM-DD"
    ):
        today()
