"""dbt's unit tests: every metric formula checked on hand-worked inputs (the `_*unit_tests.yml`
files). The scheduled pipeline leaves them out of its build, so they run here, on the session's
warehouse (unit tests read their inputs' column types from the built relations)."""

from __future__ import annotations

from pathlib import Path

import yaml

from orchestration.resources import DBT_PROJECT_DIR


def _defined_unit_tests() -> set[str]:
    names = set()
    for path in (Path(DBT_PROJECT_DIR) / "models").rglob("*.yml"):
        for unit_test in yaml.safe_load(path.read_text(encoding="utf-8")).get("unit_tests", []):
            names.add(unit_test["name"])
    return names


def test_every_unit_test_passes(pipeline_run, warehouse_url: str, run_dbt) -> None:
    result = run_dbt(warehouse_url, "test", "--select", "test_type:unit")
    ran = {
        node.node.name: node.status
        for node in result.result.results
        if node.node.resource_type == "unit_test"
    }
    assert ran == dict.fromkeys(_defined_unit_tests(), "pass")
    assert len(ran) >= 24
