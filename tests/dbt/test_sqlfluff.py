"""sqlfluff (dbt templater, see `.sqlfluff`) finds nothing to fix in our intermediate and marts.

It lints against the session's built warehouse (`pipeline_run`), so every incremental model is
linted as its incremental run renders it (`is_incremental()` true: the longer SQL, with the
branch that takes only new loads), whatever ran before this test."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from ingestion.platform.paths import PROJECT_ROOT
from ingestion.platform.warehouse_url import connection_environment

LINTED = ["dbt_project/models/intermediate", "dbt_project/models/marts"]


def test_models_pass_sqlfluff(warehouse_url: str, pipeline_run) -> None:
    sqlfluff = Path(sys.executable).with_name("sqlfluff")
    completed = subprocess.run(
        [str(sqlfluff), "lint", "--format", "json", "--processes", "2", "--nofail", *LINTED],
        cwd=PROJECT_ROOT,
        env={**os.environ, **connection_environment(warehouse_url)},
        capture_output=True,
        text=True,
        timeout=600,
    )
    files = json.loads(completed.stdout)
    assert len(files) >= 20, completed.stderr  # every model was linted, not skipped
    problems = [
        f"{entry['filepath']}:{violation['start_line_no']} {violation['code']} "
        f"{violation['description']}"
        for entry in files
        for violation in entry["violations"]
    ]
    assert problems == []
