"""Acceptance: a restore into an empty warehouse, then a full pipeline run, reproduces every closed
month and every month-end decision exactly.

The tiny company (tests/fixtures/README.md) with the plans of tests/incentives/plans: its
January and February are closed, and two `commission_ops` tables hold an approval and a dispute
(created here: month-end's own helpers add the real ones). The warehouse is backed up, a second,
empty database on the server gets the restore, and the whole pipeline job runs there from the same
sources. Every irreplaceable table, and the closed months as the marts serve them, are compared
by count and md5 of their rows before and after.
"""

from __future__ import annotations

import os
import uuid
from decimal import Decimal
from pathlib import Path

import psycopg2
import pytest
from dagster import DagsterInstance

import tests.incentives.test_period_close as period_close_tests
from ingestion.platform.backup import create_backup, restore_backup
from ingestion.platform.warehouse_url import (
    drop_database,
    ensure_database,
    export_environment,
    with_database,
)

pytestmark = pytest.mark.e2e  # `make test-e2e` (CI runs it): slow, end to end

tiny_warehouse = period_close_tests.tiny_warehouse
monkeypatch_module = period_close_tests.monkeypatch_module

# Month-end's decisions as the app records them (the tables dbt's on-run-start made): finance's
# approval of January, and a dispute of February raised by rep 102 and accepted by finance.
MONTH_END_DECISIONS = """
insert into commission_ops.approvals (
    period_start, scope_type, scope_id, approved_by_role, approved_by, approved_at, net_amounts,
    line_count, lines_digest
) values (
    '2026-01-01', 'company', 'company', 'spw_finance', 'finance', '2026-02-02 10:00+00',
    '{"CNY": "4248.00"}', 9, 'a1b2c3'
);
insert into commission_ops.dispute_events (
    dispute_id, event_type, period_start, rep_id, deal_id, reason, adjustment_amount, actor,
    actor_role, occurred_at
) values
    (1, 'raised', '2026-02-01', '102', '1007', 'deal 1007 missing', null, 'bob', 'spw_rep',
     '2026-03-01 09:00+00'),
    (1, 'accepted', '2026-02-01', '102', '1007', 'booked late', 12.34, 'finance', 'spw_finance',
     '2026-03-02 09:00+00');
"""
CLOSED = "period_start <= '2026-02-01'"
# what is compared: every irreplaceable table, and the closed months as the marts serve them
COMPARED = {
    "closed_periods": "incentives_closed.closed_periods",
    "frozen lines": "incentives_closed.commission_lines",
    "frozen payouts": "incentives_closed.payouts",
    "frozen payments": "incentives_closed.payout_payments",
    "frozen points": "incentives_closed.incentive_points",
    "approvals": "commission_ops.approvals",
    "disputes": "commission_ops.dispute_events",
    "served lines": f"(select {period_close_tests.LINE_COLUMNS}, is_closed"
    f" from marts.fct_commission_lines where {CLOSED})",
    "served payouts": f"(select {period_close_tests.PAYOUT_COLUMNS}, status"
    f" from marts.fct_payouts where {CLOSED})",
}


def _fingerprints(url: str) -> dict[str, tuple[int, str]]:
    """Each compared relation's row count and the md5 of its rows in a fixed order."""
    found = {}
    with psycopg2.connect(url) as conn, conn.cursor() as cur:
        for name, relation in COMPARED.items():
            cur.execute(
                "select count(*), md5(coalesce(string_agg(r::text, E'\\n' order by r::text), ''))"
                f" from {relation} as r"
            )
            found[name] = cur.fetchone()
    conn.close()
    return found


def _payouts(url: str) -> dict[tuple[str, str], tuple[Decimal, str]]:
    with psycopg2.connect(url) as conn, conn.cursor() as cur:
        cur.execute(
            f"select rep_id, period_start::text, net_payout_amount, status from marts.fct_payouts"
            f" where {CLOSED}"
        )
        rows = cur.fetchall()
    conn.close()
    return {(rep, period): (amount, status) for rep, period, amount, status in rows}


@pytest.fixture(scope="module")
def drill(tiny_warehouse: tuple[str, str], tmp_path_factory: pytest.TempPathFactory) -> dict:
    """Close two months, record decisions, back up, restore into an empty warehouse, run the
    pipeline there."""
    from orchestration.definitions import defs
    from orchestration.defs.jobs import PIPELINE_JOB_NAME
    from orchestration.incentives import close_period

    url, _ = tiny_warehouse
    assert close_period("2026-01..2026-02") == 0
    with psycopg2.connect(url) as conn, conn.cursor() as cur:
        cur.execute(MONTH_END_DECISIONS)
    conn.close()
    seen: dict = {"before": _fingerprints(url), "payouts_before": _payouts(url)}
    archive = create_backup(url, directory=tmp_path_factory.mktemp("backups")).path
    seen["archive"] = archive

    admin = with_database(url, "postgres")
    name = f"spw_restored_{uuid.uuid4().hex[:8]}"
    ensure_database(admin, name)
    restored_url = with_database(url, name)
    saved = dict(os.environ)
    # a fresh dlt working folder too: the empty warehouse loads every source from the start
    os.environ.update(
        WAREHOUSE_URL=restored_url, SPW_STATE_DIR=str(tmp_path_factory.mktemp("restored"))
    )
    export_environment()
    try:
        seen["restore"] = restore_backup(restored_url, archive)
        job = defs.resolve_job_def(PIPELINE_JOB_NAME)
        with DagsterInstance.ephemeral() as instance:
            seen["pipeline_ok"] = job.execute_in_process(
                instance=instance, raise_on_error=False
            ).success
        seen["after"] = _fingerprints(restored_url)
        seen["payouts_after"] = _payouts(restored_url)
    finally:
        os.environ.clear()
        os.environ.update(saved)
        drop_database(admin, name)
    return seen


def test_the_restore_carries_the_closed_months_and_month_end_decisions(drill) -> None:
    assert sorted(drill["restore"].schemas) == ["commission_ops", "incentives_closed"]
    assert drill["restore"].replaced == ()
    assert Path(drill["archive"]).stat().st_size > 0


def test_a_full_pipeline_after_the_restore_reproduces_everything_exactly(drill) -> None:
    assert drill["pipeline_ok"]
    assert drill["after"] == drill["before"]
    counts = {name: count for name, (count, _) in drill["after"].items()}
    assert counts["closed_periods"] == 2
    assert counts["approvals"] == 1 and counts["disputes"] == 2
    assert counts["frozen payouts"] == counts["served payouts"] >= 6
    assert counts["frozen payments"] == counts["frozen payouts"]


def test_the_restored_closed_months_pay_the_hand_worked_figures(drill) -> None:
    payouts = drill["payouts_after"]
    assert payouts == drill["payouts_before"]
    # January (tests/incentives/test_period_close.py): 101 230.00 + 18.00 + 15.00 - 15.00;
    # 102 108.00 and a draw up to 2,000.00; 103 90.00 - 90.00 and a 2,000.00 draw
    assert payouts[("101", "2026-01-01")] == (Decimal("248.00"), "closed")
    assert payouts[("102", "2026-01-01")] == (Decimal("2000.00"), "closed")
    assert payouts[("103", "2026-01-01")] == (Decimal("2000.00"), "closed")
    # February: 105 joined on the 15th, a prorated draw of 2,000.00 x 14 / 28
    assert payouts[("105", "2026-02-01")] == (Decimal("1000.00"), "closed")
