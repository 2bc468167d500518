"""Own data or the demo, decided in one place (`ingestion/source_settings.py`): once one's own
source is configured nothing of the demo loads, and `make demo-remove` takes out what already did.

Runs the real source assets on a warehouse of its own, with the demo company built beside it
(`make demo` without its CRM server) and the tiny company's CRM export files as one's own.
"""

from __future__ import annotations

import os
import uuid
from datetime import date
from pathlib import Path

import psycopg2
import pytest
from dagster import materialize

from ingestion.platform.warehouse_url import drop_database, ensure_database, with_database

TINY_CRM_FILES = Path(__file__).resolve().parents[1] / "fixtures" / "tiny_company" / "crm_files"
TINY_DEALS = {"QD-1", "QD-2", "QD-3"}


@pytest.fixture
def demo_beside_a_warehouse(scratch_database: str, monkeypatch: pytest.MonkeyPatch, tmp_path):
    """A fresh warehouse, no source configured, the demo built beside it (demo mode)."""
    admin = with_database(scratch_database, "postgres")
    orders = f"spw_demo_orders_{uuid.uuid4().hex[:8]}"
    ensure_database(admin, orders)
    for name in [name for name in os.environ if name.startswith("SOURCES__")]:
        monkeypatch.delenv(name)
    monkeypatch.setenv("WAREHOUSE_URL", scratch_database)
    monkeypatch.setenv("DEMO_ORDERS_URL", with_database(scratch_database, orders))
    monkeypatch.setenv("SPW_STATE_DIR", str(tmp_path))
    from ingestion.demo.__main__ import build

    build(seed=7, scale=0.05, today=date(2026, 6, 15), rebuild=True, serve=False)
    try:
        yield scratch_database
    finally:
        drop_database(admin, orders)


def _rows(url: str, sql: str) -> list[tuple]:
    with psycopg2.connect(url) as conn, conn.cursor() as cur:
        cur.execute(sql)
        return cur.fetchall()


def _load(*assets) -> None:
    from orchestration.resources import build_resources

    result = materialize(list(assets), resources=build_resources(), raise_on_error=False)
    assert result.success, [
        str(e.step_failure_data.error) for e in result.get_step_failure_events()
    ]


def test_demo_mode_follows_the_configuration(
    demo_beside_a_warehouse: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    from ingestion.source_settings import demo_mode, source_settings

    assert demo_mode()
    demo_folder = source_settings("crm_files")["folder"]
    assert demo_folder.endswith("/demo/crm_files")
    assert source_settings("orders_db")["credentials"] == os.environ["DEMO_ORDERS_URL"]
    assert source_settings("commission_plans")["folder"].endswith("ingestion/demo/plans")
    # one own source set: demo mode ends, every other source is skipped, demo plans too
    monkeypatch.setenv("SOURCES__CRM_FILES__FOLDER", str(TINY_CRM_FILES))
    assert not demo_mode()
    assert source_settings("crm_files") == {"folder": str(TINY_CRM_FILES)}
    assert source_settings("orders_db") is None
    assert source_settings("commission_plans") is None
    # forced on, the demo fills the gaps; forced off with nothing set, nothing loads
    monkeypatch.setenv("SOURCES__DEMO", "true")
    assert source_settings("orders_db") is not None
    monkeypatch.delenv("SOURCES__CRM_FILES__FOLDER")
    monkeypatch.setenv("SOURCES__DEMO", "false")
    assert source_settings("crm_files") is None


def test_own_data_loads_no_demo_rows_and_demo_remove_takes_out_earlier_ones(
    demo_beside_a_warehouse: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    from orchestration.defs.incentives.plans import raw_plans_assets
    from orchestration.defs.ingestion.crm_files import raw_crm_files_assets
    from orchestration.defs.ingestion.orders_db import raw_orders_assets
    from orchestration.demo_removal import DemoModeOn, remove_demo

    url = demo_beside_a_warehouse
    # demo mode: the demo's CRM exports load
    _load(raw_crm_files_assets)
    demo_deals = {row[0] for row in _rows(url, "select deal_id from raw_crm_files.deals")}
    assert demo_deals and not demo_deals & TINY_DEALS
    with pytest.raises(DemoModeOn, match="configure your own sources"):
        remove_demo(url)

    # own data: only the CRM files are one's own; the orders and plans load nothing demo
    monkeypatch.setenv("SOURCES__CRM_FILES__FOLDER", str(TINY_CRM_FILES))
    _load(raw_crm_files_assets, raw_orders_assets, raw_plans_assets)
    assert _rows(url, "select count(*) from raw_orders.orders") == [(0,)]
    assert _rows(url, "select count(*) from raw_orders.order_lines") == [(0,)]
    assert _rows(url, "select count(*) from raw_plans.plan_versions") == [(0,)]
    mixed = {row[0] for row in _rows(url, "select deal_id from raw_crm_files.deals")}
    assert demo_deals <= mixed  # the demo rows loaded before are still there ...

    # ... until demo-remove: a month closed on demo data goes with them
    with psycopg2.connect(url) as conn, conn.cursor() as cur:
        cur.execute(
            "create schema incentives_closed; create table incentives_closed.closed_periods"
            " (period_start date primary key, closed_at timestamptz, closed_by text);"
            " insert into incentives_closed.closed_periods values ('2026-05-01', now(), 'demo');"
            # and an approval of it (month-end's records, made on demo data)
            " create schema commission_ops; create table commission_ops.approvals (id int);"
            " insert into commission_ops.approvals values (1)"
        )
    removed = remove_demo(url)
    assert removed["datasets"] == ["raw_crm_files"]
    assert removed["closed_periods"] == ["2026-05-01"]
    assert _rows(url, "select to_regnamespace('raw_crm_files') is null") == [(True,)]
    assert _rows(url, "select count(*) from raw_orders.orders") == [(0,)]  # never demo: kept
    assert _rows(url, "select count(*) from incentives_closed.closed_periods") == [(0,)]
    assert _rows(url, "select to_regnamespace('commission_ops') is null") == [(True,)]

    _load(raw_crm_files_assets)
    own = {row[0] for row in _rows(url, "select deal_id from raw_crm_files.deals")}
    [(rejected,)] = _rows(url, "select count(*) from raw_crm_files.deals_rejected")
    assert own and own <= TINY_DEALS
    assert len(own) + rejected == len(TINY_DEALS)
    assert remove_demo(url)["datasets"] == []  # nothing of the demo left to remove
