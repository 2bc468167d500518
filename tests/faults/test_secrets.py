"""No secret in logs, local state, Dagster's event log or dbt's artifacts.

Every pipeline the fault tests run logs in with a sentinel password and carries a sentinel CRM
token (`harness.py`); the runs include ones killed halfway, whose debris counts too. This module
runs last (by name): it searches every file those runs could have written and every event
Dagster recorded for both strings. Run alone, it first runs one pipeline of its own.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from dagster import DagsterInstance
from dagster._core.instance.ref import InstanceRef

from ingestion.platform.paths import PROJECT_ROOT
from tests.faults.harness import (
    CREATED,
    SENTINEL_PASSWORD,
    SENTINEL_TOKEN,
    fault_warehouse,
)

pytestmark = pytest.mark.faults

SENTINEL_TEXTS = (SENTINEL_PASSWORD, SENTINEL_TOKEN)
SENTINELS = tuple(text.encode() for text in SENTINEL_TEXTS)
# What dbt and the project write besides each warehouse's state folder and run logs.
PROJECT_ARTIFACTS = ("dbt_project/target", "dbt_project/logs", "logs", ".state")


def files_under(folder: Path) -> list[Path]:
    return [path for path in folder.rglob("*") if path.is_file()] if folder.exists() else []


@pytest.fixture(scope="module")
def searched(warehouse_url, tmp_path_factory) -> list:
    if not CREATED:
        with fault_warehouse(warehouse_url, tmp_path_factory.mktemp("secrets")) as warehouse:
            assert warehouse.run().process.returncode == 0
    return list(CREATED)


def test_the_runs_really_used_the_sentinel_credentials(searched) -> None:
    # A run that logged in with another password would make this search meaningless.
    assert any(
        "pipeline: succeeded" in run.output() for warehouse in searched for run in warehouse.runs
    )
    for warehouse in searched:
        assert SENTINEL_PASSWORD in warehouse.sentinel_url


def test_no_file_written_by_a_run_holds_a_secret(searched) -> None:
    files = [path for warehouse in searched for path in files_under(warehouse.work)]
    files += [path for folder in PROJECT_ARTIFACTS for path in files_under(PROJECT_ROOT / folder)]
    # dlt's working folders, Dagster's SQLite event logs and compute logs, dbt's artifacts
    assert any("dlt" in path.parts for path in files)
    assert any(path.suffix == ".db" for path in files)
    assert any(path.name == "manifest.json" for path in files)
    leaks = [str(path) for path in files if any(s in path.read_bytes() for s in SENTINELS)]
    assert leaks == []


def test_no_dagster_event_or_run_record_holds_a_secret(searched) -> None:
    entries = 0
    for warehouse in searched:
        home = warehouse.state_dir / "dagster"
        with DagsterInstance.from_ref(InstanceRef.from_dir(str(home))) as instance:
            for run in instance.get_runs():
                texts = [repr(run)] + [repr(entry) for entry in instance.all_logs(run.run_id)]
                entries += len(texts)
                leaks = [text[:300] for text in texts if any(s in text for s in SENTINEL_TEXTS)]
                assert leaks == [], run.run_id
    assert entries > 100
