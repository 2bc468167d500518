"""The small pieces the pages share: gaps in words, traffic lights, the trend's top lines."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from decimal import Decimal

import pandas as pd
import pytest
import streamlit as st

from app.ui import gap_words, pace_statuses, top_and_rest


@pytest.fixture(autouse=True)
def english() -> Iterator[None]:
    st.session_state["lang"] = "en"
    yield
    del st.session_state["lang"]


def test_a_gap_is_said_in_words_not_signs() -> None:
    assert gap_words("revenue", Decimal("15200.00")) == "short by 15,200.00"
    assert gap_words("revenue", Decimal("-17800.00")) == "ahead by 17,800.00"
    assert gap_words("visits", Decimal("0.00")) == "exactly on target"
    assert gap_words("visits", None) == "-"


def test_traffic_lights_follow_the_pace() -> None:
    frame = pd.DataFrame(
        {
            # on pace; behind at 98.7% of pace (amber); behind at 24% (red); no pace but missed
            "pace_pct": [Decimal("1.2"), Decimal("0.9868"), Decimal("0.24"), None],
            "is_behind_pace": [False, True, True, True],
        }
    )
    assert pace_statuses(frame) == ["on_pace", "slightly_behind", "behind", "behind"]


def test_the_trend_keeps_the_top_reps_and_adds_up_the_rest() -> None:
    jan, feb = date(2026, 1, 1), date(2026, 2, 1)
    frame = pd.DataFrame(
        [
            (jan, "A", Decimal("100.00")),
            (feb, "A", Decimal("300.00")),
            (jan, "B", Decimal("250.00")),
            (jan, "C", Decimal("10.50")),
            (feb, "C", Decimal("20.25")),
            (feb, "D", Decimal("5.00")),
        ],
        columns=["month", "full_name", "net_revenue"],
    )
    # totals A 400, B 250, C 30.75, D 5: the top two stay, C and D add up per month
    lines = top_and_rest(frame, 2, "Others")
    assert lines.values.tolist() == [
        [jan, "A", Decimal("100.00")],
        [feb, "A", Decimal("300.00")],
        [jan, "B", Decimal("250.00")],
        [jan, "Others", Decimal("10.50")],
        [feb, "Others", Decimal("25.25")],
    ]
