"""`make pipeline`: run the warehouse pipeline job once, in this process, and report the outcome.

It is the same job the schedules run. The run is recorded in the Dagster instance at
`DAGSTER_HOME`, so it shows in the UI's run history like a scheduled run. It holds the warehouse's
`pipeline` advisory lock throughout (`orchestration/locks.py`): a second `make pipeline` on the same
warehouse waits for the first, or gives up with a message naming it. On the demo, a successful
run then closes the months up to two months ago (`orchestration/demo_closing.py`).
"""

from __future__ import annotations

import sys
import time

from dagster import DagsterInstance, DagsterRunStatus

from ingestion.platform.warehouse_url import WarehouseError, export_environment
from orchestration.demo_closing import close_demo_months
from orchestration.instance import export_storage_url
from orchestration.locks import LockTimeout, advisory_lock

# Tags the runs of `make pipeline`, so the next one can tell its dead predecessors.
LAUNCHER_TAG = "spw/launched_by"
LAUNCHER = "make-pipeline"
# A dropped or refused database connection is not a data problem: what to do is in the message.
LOST_WAREHOUSE_HINT = (
    "the warehouse connection failed (server down, restarted or unreachable): check it with"
    " `python -m ingestion.platform status` or WAREHOUSE_URL, then re-run `make pipeline`;"
    " a re-run after a failed or killed run neither loses nor duplicates rows"
    " (docs/reliability.md)."
)


def main() -> int:
    started = time.monotonic()
    try:
        url = export_environment()
    except WarehouseError as exc:
        print(f"pipeline: {exc}", file=sys.stderr)
        return 1
    export_storage_url()
    try:
        with advisory_lock(
            url, "pipeline", log=lambda line: print(f"pipeline: {line}", file=sys.stderr)
        ):
            return _run_job(started) or close_demo_months(url)
    except LockTimeout as exc:
        print(f"pipeline: refused: {exc}", file=sys.stderr)
        return 1


def _release_dead_runs(instance: DagsterInstance) -> None:
    """Fail our earlier runs still marked started, freeing their pool slots.

    Under the warehouse lock no other `make pipeline` is alive, so such a run died (`kill -9`,
    a lost machine). Its claimed pool slots would otherwise make this run's steps wait forever:
    Dagster frees them only from the daemon's run monitoring, which `make pipeline` does not run.
    """
    from dagster import RunsFilter

    dead = instance.get_runs(
        RunsFilter(
            tags={LAUNCHER_TAG: LAUNCHER},
            statuses=[
                DagsterRunStatus.NOT_STARTED,
                DagsterRunStatus.STARTING,
                DagsterRunStatus.STARTED,
            ],
        )
    )
    for run in dead:
        instance.report_run_failed(run, "its process died; found by the next `make pipeline`")
        instance.event_log_storage.free_concurrency_slots_for_run(run.run_id)
        print(f"pipeline: marked run {run.run_id} failed (its process died)", file=sys.stderr)


def _run_job(started: float) -> int:
    from orchestration.definitions import defs
    from orchestration.defs.jobs import PIPELINE_JOB_NAME

    job = defs.resolve_job_def(PIPELINE_JOB_NAME)
    print(f"pipeline: running job {PIPELINE_JOB_NAME} ...", file=sys.stderr)
    with DagsterInstance.get() as instance:
        _release_dead_runs(instance)
        result = job.execute_in_process(
            instance=instance, raise_on_error=False, tags={LAUNCHER_TAG: LAUNCHER}
        )
        elapsed = time.monotonic() - started
        if result.success:
            print(f"pipeline: succeeded in {elapsed:.0f}s (run {result.run_id})", file=sys.stderr)
            return 0
        failed = sorted({event.step_key for event in result.get_step_failure_events()})
        run = instance.get_run_by_id(result.run_id)
        status = run.status.value if run else DagsterRunStatus.FAILURE.value
        print(
            f"pipeline: {status} after {elapsed:.0f}s; failed steps: {', '.join(failed) or 'none'}"
            f"\n  details: the Dagster UI (make run) or `dagster run` logs for run {result.run_id}",
            file=sys.stderr,
        )
        lost_warehouse = False
        for event in result.get_step_failure_events():
            error = event.event_specific_data.error if event.event_specific_data else None
            while error is not None and error.cause is not None:
                error = error.cause  # the root cause says what to fix
            if error is not None:
                print(f"  {event.step_key}: {error.message.strip()}", file=sys.stderr)
                lost_warehouse = lost_warehouse or error.cls_name == "OperationalError"
        if lost_warehouse:
            print(f"  {LOST_WAREHOUSE_HINT}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
