"""The warehouse locks: a second writer waits or is refused, and a killed holder frees the lock."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time

import psycopg2
import pytest
from dagster import materialize

from orchestration.locks import LOCK_NAMESPACE, LockTimeout, advisory_lock


def _hold(url: str, name: str) -> psycopg2.extensions.connection:
    """Take lock `name` in a session of the test's own, as another run would."""
    conn = psycopg2.connect(url, application_name="another pipeline run")
    conn.autocommit = True
    with conn.cursor() as cur:
        cur.execute("select pg_advisory_lock(%s, hashtext(%s))", (LOCK_NAMESPACE, name))
    return conn


def test_a_held_lock_makes_the_next_writer_give_up_naming_the_holder(warehouse_url) -> None:
    holder = _hold(warehouse_url, "raw_orders")
    try:
        started = time.monotonic()
        with (
            pytest.raises(LockTimeout, match=r"'raw_orders' is held by .*another pipeline run"),
            advisory_lock(warehouse_url, "raw_orders", wait_seconds=1, log=lambda _: None),
        ):
            pytest.fail("the lock was granted while another session held it")
        assert 1 <= time.monotonic() - started < 10
    finally:
        holder.close()
    # Released by the holder: granted at once.
    with advisory_lock(warehouse_url, "raw_orders", wait_seconds=0):
        pass


def test_a_waiting_writer_proceeds_once_the_holder_ends(warehouse_url) -> None:
    holder = _hold(warehouse_url, "dbt_build")
    messages: list[str] = []
    releaser = threading.Timer(2.0, holder.close)  # the other run finishes after 2 s
    releaser.start()
    started = time.monotonic()
    try:
        with advisory_lock(warehouse_url, "dbt_build", wait_seconds=30, log=messages.append):
            waited = time.monotonic() - started
    finally:
        releaser.cancel()
        holder.close()
    assert 1.5 < waited < 30
    assert messages[0].startswith("waiting for the warehouse lock 'dbt_build', held by server")
    assert messages[1].startswith("got the warehouse lock 'dbt_build' after")


def test_kill_9_of_the_holder_frees_the_lock(warehouse_url) -> None:
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import sys, time\n"
            "from orchestration.locks import advisory_lock\n"
            "with advisory_lock(sys.argv[1], 'pipeline', wait_seconds=0):\n"
            "    print('held', flush=True)\n"
            "    time.sleep(600)\n",
            warehouse_url,
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "held"
        with (
            pytest.raises(LockTimeout),
            advisory_lock(warehouse_url, "pipeline", wait_seconds=0, log=lambda _: None),
        ):
            pass
        os.kill(holder.pid, signal.SIGKILL)
        holder.wait(timeout=30)
        # The server notices the dead client's closed socket and ends its session at once.
        with advisory_lock(warehouse_url, "pipeline", wait_seconds=10, log=lambda _: None):
            pass
    finally:
        if holder.poll() is None:
            holder.kill()


def test_make_pipeline_is_refused_while_another_run_holds_the_warehouse(
    warehouse_url, monkeypatch, capsys
) -> None:
    from orchestration.run_pipeline import main

    monkeypatch.setenv("PIPELINE_LOCK_WAIT_SECONDS", "1")
    holder = _hold(warehouse_url, "pipeline")
    try:
        assert main() == 1
    finally:
        holder.close()
    error = capsys.readouterr().err
    assert "pipeline: refused: the warehouse lock 'pipeline' is held by server process" in error
    assert "another pipeline run" in error
    assert "re-run when that run has finished" in error


def test_a_load_step_waits_for_the_source_lock_of_another_run(warehouse_url, monkeypatch) -> None:
    from orchestration.defs.ingestion.orders_db import raw_orders_assets
    from orchestration.resources import build_resources

    monkeypatch.setenv("PIPELINE_LOCK_WAIT_SECONDS", "1")
    holder = _hold(warehouse_url, "raw_orders")
    try:
        result = materialize([raw_orders_assets], resources=build_resources(), raise_on_error=False)
    finally:
        holder.close()
    assert not result.success
    (failure,) = result.get_step_failure_events()
    error = failure.event_specific_data.error
    messages = []
    while error is not None:
        messages.append(error.message)
        error = error.cause
    assert any("the warehouse lock 'raw_orders' is held by" in m for m in messages), messages
