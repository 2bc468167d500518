"""A failing blocking check: the app keeps the last good marts and says they are stale.

That the previous good tables stay in `marts` is shown by tests/orchestration/test_quality.py
(a real blocking Great Expectations check failing in a real job). Here: given such a failure
recorded in `quality.validation_results`, the data health page says which marts were not
published and that their data is stale, and stops saying it once a later validation passes.
"""

from __future__ import annotations

import uuid
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from app.auth import Viewer
from app.context import PageContext
from app.data.connection import Reader

PAGE = Path(__file__).resolve().parents[2] / "app" / "app_pages" / "data_health.py"
TABLE = "fault_probe_payouts"  # a guarded table of this test alone


def _validation(query, success: bool, at: str) -> None:
    query(
        "insert into quality.validation_results (suite_name, table_schema, table_name,"
        " is_success, evaluated_expectations, successful_expectations, row_count, result,"
        " validated_at) values (%s, 'marts_audit', %s, %s, 3, %s, 7, '{}', %s)",
        (f"marts_audit.{TABLE}", TABLE, success, 3 if success else 2, at),
    )


def _page(lang: str) -> AppTest:
    page = AppTest.from_file(str(PAGE), default_timeout=60)
    page.session_state["lang"] = lang
    page.session_state["page_context"] = PageContext(
        viewer=Viewer(login="fiona", name="Fiona", role="finance"),
        reader=Reader(db_role="spw_finance", version=uuid.uuid4().hex),  # no cached answer
        filters=None,  # the health page has no filters
    )
    page.run()
    assert not page.exception, page.exception
    return page


@pytest.fixture
def failed_then_passed(pipeline_run, query):
    yield lambda success, at: _validation(query, success, at)
    query("delete from quality.validation_results where table_name = %s", (TABLE,))


def test_the_health_page_says_unpublished_marts_are_stale(failed_then_passed) -> None:
    failed_then_passed(True, "2026-03-30 01:00+00")
    failed_then_passed(False, "2026-03-31 01:00+00")
    errors = [element.value for element in _page("en").error]
    assert (
        "Blocking checks failed at 2026-03-31 01:00 UTC on fault_probe_payouts: those marts were"
        " not published, and the app shows their last good version. That data is stale until"
        " the checks pass." in errors
    )
    assert any(
        "fault_probe_payouts" in e and "已过时" in e for e in (el.value for el in _page("zh").error)
    )


def test_the_warning_ends_when_the_checks_pass_again(failed_then_passed) -> None:
    failed_then_passed(False, "2026-03-31 01:00+00")
    failed_then_passed(True, "2026-04-01 01:00+00")
    assert not any("fault_probe_payouts" in element.value for element in _page("en").error)
