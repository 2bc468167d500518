"""`make pipeline` (python -m orchestration.run_pipeline) fails loudly, naming the failed step."""

from __future__ import annotations

import os
import subprocess
import sys
import uuid
from pathlib import Path

import pytest

from ingestion.platform.paths import PROJECT_ROOT
from ingestion.platform.warehouse_url import drop_database, ensure_database, with_database
from orchestration.instance import write_instance_config

pytestmark = pytest.mark.e2e  # `make test-e2e` (CI runs it): slow, end to end


@pytest.fixture
def empty_warehouse(warehouse_url: str):
    admin_url = with_database(warehouse_url, "postgres")
    name = f"spw_empty_{uuid.uuid4().hex[:8]}"
    ensure_database(admin_url, name)
    yield with_database(warehouse_url, name)
    drop_database(admin_url, name)


def test_an_unreachable_source_fails_the_pipeline_naming_the_step(
    empty_warehouse: str, tmp_path: Path
) -> None:
    home = tmp_path / "dagster"
    write_instance_config(home)
    env = {
        **os.environ,
        "WAREHOUSE_URL": empty_warehouse,
        "DAGSTER_HOME": str(home),
        "SPW_STATE_DIR": str(tmp_path),
        # Nothing listens on port 1: the orders load fails at once; no retries to wait for.
        "SOURCES__ORDERS_DB__CREDENTIALS": "postgresql://reader:x@127.0.0.1:1/shop",
        "SOURCE_MAX_RETRIES": "0",
    }
    finished = subprocess.run(
        [sys.executable, "-m", "orchestration.run_pipeline"],
        cwd=PROJECT_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert finished.returncode == 1
    summary = [line for line in finished.stderr.splitlines() if line.startswith("pipeline: ")]
    assert summary[0] == "pipeline: running job warehouse_pipeline ..."
    assert summary[-1].startswith("pipeline: FAILURE after ")
    failed_steps = summary[-1].split("failed steps: ", 1)[1].split(", ")
    assert "raw_orders" in failed_steps
    # The root cause follows, under the step's name.
    assert any(
        line.startswith("  raw_orders: ") and "127.0.0.1" in line
        for line in finished.stderr.splitlines()
    ), finished.stderr[-3000:]
