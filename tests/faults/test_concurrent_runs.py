"""Two `make pipeline` runs started at once on one warehouse: the second waits for the first."""

from __future__ import annotations

import datetime as dt
import re

import pytest

from tests.faults.harness import (
    PipelineRun,
    fault_warehouse,
    key_counts,
    rows_of_unfinished_loads,
)

pytestmark = pytest.mark.faults

# Dagster's log lines: "<date> <time> +0000 - dagster - <level> - <job> - <run id> - ... - EVENT".
EVENT_LINE = re.compile(
    r"^(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d [+-]\d{4}) - dagster - .* - ([A-Z_]+) - "
)


def event_times(run: PipelineRun, step: str | None, event: str) -> list[dt.datetime]:
    """When the run logged `event` (for `step`, when given), from its output."""
    times = []
    for line in run.output().splitlines():
        match = EVENT_LINE.match(line)
        if match and match.group(2) == event and (step is None or f" - {step} - " in line):
            times.append(dt.datetime.strptime(match.group(1), "%Y-%m-%d %H:%M:%S %z"))
    return times


def test_two_runs_at_once_never_interleave(warehouse_url, tmp_path) -> None:
    with fault_warehouse(warehouse_url, tmp_path) as warehouse:  # dropped at the end
        runs = [warehouse.start(), warehouse.start()]
        codes = [run.wait() for run in runs]
        assert codes == [0, 0], [run.output()[-3000:] for run in runs]

        waited = [
            run for run in runs if "waiting for the warehouse lock 'pipeline'" in run.output()
        ]
        assert len(waited) == 1, "exactly one run waits for the other"
        (second,) = waited
        (first,) = [run for run in runs if run is not second]
        assert "got the warehouse lock 'pipeline' after" in second.output()

        # The second run's job starts only after the first one's ended: loads cannot interleave.
        (first_end,) = event_times(first, None, "RUN_SUCCESS")
        (second_start,) = event_times(second, None, "RUN_START")
        assert second_start >= first_end
        (first_load_end,) = event_times(first, "raw_orders", "STEP_SUCCESS")
        (second_load_start,) = event_times(second, "raw_orders", "STEP_START")
        assert second_load_start >= first_load_end

        # Nothing duplicated, nothing from an unfinished load.
        counts = key_counts(warehouse)
        assert counts and all(total == distinct for total, distinct in counts.values()), counts
        assert sum(total for total, _ in counts.values()) > 0
        assert set(rows_of_unfinished_loads(warehouse).values()) == {0}
