"""Run the pipeline job once on the warehouse the environment names, in this process, and write
its failed steps (step key -> error) as JSON to the file named by the first argument.

The conformance test runs one of these per CRM twin, all at once, each on a warehouse database of
its own: the job's in-process executor runs its steps one after the other, so separate processes
are what lets the twins' builds use both cores.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from dagster import DagsterInstance

from ingestion.platform.warehouse_url import export_environment


def main(result_file: str) -> int:
    from orchestration.definitions import defs
    from orchestration.defs.jobs import PIPELINE_JOB_NAME

    export_environment()
    job = defs.resolve_job_def(PIPELINE_JOB_NAME)
    with DagsterInstance.ephemeral() as instance:
        run = job.execute_in_process(instance=instance, raise_on_error=False)
    failures = {
        event.step_key: str(event.step_failure_data.error)
        for event in run.get_step_failure_events()
    }
    Path(result_file).write_text(json.dumps(failures), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
