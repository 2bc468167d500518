"""The demo company: deterministic, shaped like the issue asks, and advancing day by day."""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest
from fixtures.loads import loaded_rows

from ingestion.demo.__main__ import advance, build
from ingestion.demo.company import simulate
from ingestion.demo.crm_server import CrmServer, CrmState
from ingestion.demo.crm_service import follow_demo_state
from ingestion.demo.settings import demo_crm_files_folder, demo_finance_folder
from ingestion.sources.crm_files import crm_files
from ingestion.sources.finance_files import finance_files
from ingestion.sources.hubspot import hubspot
from ingestion.sources.orders_db import orders_db

TODAY = date(2026, 6, 15)


def test_the_same_seed_and_day_make_the_same_company() -> None:
    first, again = simulate(7, TODAY, 0.05), simulate(7, TODAY, 0.05)
    for name, table in first.tables.items():
        pd.testing.assert_frame_equal(table, again.tables[name])
    other = simulate(8, TODAY, 0.05)
    assert not first["deals"]["created_s"].equals(other["deals"]["created_s"])


def test_the_company_has_the_shape_the_demo_promises() -> None:
    company = simulate(7, TODAY, 0.2)
    reps = company["reps"]
    assert len(reps) == 60 and (reps["role"] == "manager").sum() == 8
    assert reps["team_id"].nunique() == 8 and reps["region_id"].nunique() == 3
    assert (reps["hire_day"] > 0).sum() == 7 and (reps["leave_day"] < 10**6).sum() == 5
    assert company["assignments"]["to_day"].notna().sum() == 1  # one mid-year team change
    orders = company["orders"]
    assert set(orders["currency"]) == {"CNY", "USD"}
    assert (~orders["from_deal"]).any()  # repeat orders beside the first order of a won deal
    refunds = company["refunds"]
    assert set(refunds["refund_type"]) == {"refund", "cancellation"}
    # some refunds come in a later month than their order (after that month closed)
    ordered_month = orders["ordered_s"].to_numpy()[refunds["order"]] // 86400 // 31
    assert (refunds["at_s"] // 86400 // 31 > ordered_month).any()


@pytest.fixture
def demo(monkeypatch, tmp_path, scratch_database):
    monkeypatch.setenv("SPW_STATE_DIR", str(tmp_path))
    monkeypatch.setenv("DEMO_ORDERS_URL", scratch_database)
    build(seed=7, scale=0.1, today=TODAY, rebuild=True, serve=False)
    server = CrmServer(CrmState(follow_demo_state(), "demo-token"))
    server.start_in_thread()
    try:
        yield server, scratch_database
    finally:
        server.shutdown()
        server.server_close()


def test_after_one_demo_day_a_run_loads_only_the_changes(demo, new_pipeline) -> None:
    server, orders_url = demo
    runs = {
        "crm": lambda: hubspot(base_url=server.url, access_token="demo-token"),
        "orders": lambda: orders_db(credentials=orders_url, schema="shop"),
        "crm_files": lambda: crm_files(folder=str(demo_crm_files_folder())),
        "finance": lambda: finance_files(folder=str(demo_finance_folder())),
    }
    pipelines = {name: new_pipeline(name) for name in runs}

    def run_all() -> int:
        total = 0
        for name, source in runs.items():
            pipelines[name].run(source())
            total += sum(loaded_rows(pipelines[name]).values())
        return total

    everything = run_all()
    assert run_all() == 0
    advance(days=1)
    changed = run_all()
    assert 0 < changed < everything / 5
