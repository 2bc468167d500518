"""`kill -9` of the pipeline at every phase, and PostgreSQL restarted mid-load, then a re-run.

One warehouse goes through every fault in turn, each run starting from the debris of the one
before, as an unlucky night would: killed while dlt extracts, while it normalizes, after its
merges committed but before the load was recorded, during the dbt build; then the server is
stopped while a load is in flight and started again. The last run must leave marts identical to
a clean run's, raw tables without duplicate keys, and no row from a load that never completed.
"""

from __future__ import annotations

import hashlib
import re
import signal
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from fixtures.marts import marts_rows

from orchestration.run_pipeline import LOST_WAREHOUSE_HINT
from tests.faults.harness import (
    FaultWarehouse,
    PipelineRun,
    fault_warehouse,
    key_counts,
    restart_on_same_port,
    rows_of_unfinished_loads,
)

pytestmark = pytest.mark.faults

KILL_POINTS = ("extract", "normalize", "load")


@dataclass
class Chain:
    warehouse: FaultWarehouse
    killed: dict[str, PipelineRun]
    restarted: PipelineRun
    final: PipelineRun


def marts_hash(snapshot: dict[str, list[tuple]]) -> str:
    """A content hash of every mart's rows (the snapshot leaves out dlt's and refresh columns)."""
    return hashlib.sha256(repr(sorted(snapshot.items())).encode()).hexdigest()[:16]


@pytest.fixture(scope="module")
def chain(own_server, tmp_path_factory) -> Iterator[Chain]:
    work = tmp_path_factory.mktemp("kill_chain")
    with fault_warehouse(own_server.url(), work) as warehouse:
        yield run_chain(own_server, warehouse)


def run_chain(own_server, warehouse: FaultWarehouse) -> Chain:
    killed = {}
    for point in KILL_POINTS:
        run = warehouse.start(pause=point)
        run.wait_until_paused(point)
        run.kill()
        killed[point] = run
    run = warehouse.start()
    # dagster-dbt reports each model as dbt finishes it: the build is under way.
    run.wait_for_line("warehouse_dbt_models - ASSET_MATERIALIZATION")
    run.kill()
    killed["dbt build"] = run

    # Without Dagster's step retries (orchestration/retries.py), so the failure itself shows.
    restarted = warehouse.start(pause="load", extra_env={"SOURCE_MAX_RETRIES": "0"})
    restarted.wait_until_paused("load")
    own_server.stop()  # the server goes away while the load is in flight ...
    restarted.resume("load")
    restarted.wait()
    restart_on_same_port(own_server)  # ... and comes back

    final = warehouse.run()
    return Chain(warehouse=warehouse, killed=killed, restarted=restarted, final=final)


def test_every_kill_landed_in_its_phase(chain: Chain) -> None:
    for point, run in chain.killed.items():
        assert run.process.returncode == -signal.SIGKILL, (point, run.output())
    assert "warehouse_dbt_models" in chain.killed["dbt build"].output()
    assert "pipeline: succeeded" not in chain.killed["dbt build"].output()


def test_the_run_that_lost_its_server_fails_and_says_why(chain: Chain) -> None:
    output = chain.restarted.output()
    assert chain.restarted.process.returncode == 1, output
    # The step, the root cause and what to do: check the warehouse, then re-run.
    assert "pipeline: FAILURE" in output, output
    assert re.search(r"raw_\w+: psycopg2.OperationalError: connection to server at", output)
    assert LOST_WAREHOUSE_HINT in output, output


def test_the_rerun_succeeds(chain: Chain) -> None:
    assert chain.final.process.returncode == 0, chain.final.output()


def test_marts_equal_a_clean_run(chain: Chain, pipeline_run, warehouse_url) -> None:
    first, clean = pipeline_run  # the same demo, loaded once without faults
    assert first.success
    recovered = marts_rows(chain.warehouse.url)
    assert recovered.keys() == clean.keys()
    assert {t: len(rows) for t, rows in recovered.items()} == {
        t: len(rows) for t, rows in clean.items()
    }
    assert marts_hash(recovered) == marts_hash(clean)


def test_raw_tables_hold_each_key_once(chain: Chain) -> None:
    counts = key_counts(chain.warehouse)
    # at least the orders source's customers, products, orders and order lines
    assert len(counts) >= 4, counts
    for table, (total, distinct) in counts.items():
        assert total == distinct, (table, total, distinct)
    assert counts["raw_orders", "order_lines"] == (15, 15)  # the tiny company's order lines


def test_every_raw_row_belongs_to_a_completed_load(chain: Chain) -> None:
    unfinished = rows_of_unfinished_loads(chain.warehouse)
    assert unfinished and set(unfinished.values()) == {0}, unfinished
