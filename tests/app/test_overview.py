"""The app's overview page renders the orders mart's figures."""

from __future__ import annotations

from pathlib import Path

from streamlit.testing.v1 import AppTest

APP = Path(__file__).resolve().parents[2] / "app" / "streamlit_app.py"


def test_overview_shows_net_revenue_of_the_latest_month(pipeline_runs) -> None:
    app = AppTest.from_file(str(APP), default_timeout=60).run()
    assert not app.exception
    metric = app.metric[0]
    # February 2026: O002 11500.50 completed; O003 cancelled counts 0
    assert metric.label == "Net revenue, 2026-02 (CNY)"
    assert metric.value == "11,500.50"
