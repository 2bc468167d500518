"""Resources shared by the definitions, configured from the environment."""

from __future__ import annotations

import functools
import json
import subprocess
import sys
from pathlib import Path

from dagster_dbt import DbtCliResource, DbtProject
from dagster_dlt import DagsterDltResource

from ingestion.platform.paths import PROJECT_ROOT
from ingestion.platform.warehouse_url import warehouse_url
from orchestration.locks import advisory_lock

DBT_PROJECT_DIR = PROJECT_ROOT / "dbt_project"
DBT_EXECUTABLE = Path(sys.executable).with_name("dbt")
dbt_project = DbtProject(project_dir=DBT_PROJECT_DIR, profiles_dir=DBT_PROJECT_DIR)


def _dbt_sources_changed(manifest: Path) -> bool:
    built = manifest.stat().st_mtime
    watched = [DBT_PROJECT_DIR / "dbt_project.yml"]
    for folder in ("models", "macros", "seeds", "snapshots", "tests"):
        watched.extend((DBT_PROJECT_DIR / folder).rglob("*"))
    return any(path.stat().st_mtime > built for path in watched if path.is_file())


def ensure_dbt_manifest() -> Path:
    """Parse the dbt project when its manifest is missing or older than its files."""
    manifest = dbt_project.manifest_path
    if not manifest.exists() or _dbt_sources_changed(manifest):
        subprocess.run(
            [
                str(DBT_EXECUTABLE),
                "parse",
                "--quiet",
                "--project-dir",
                str(DBT_PROJECT_DIR),
                "--profiles-dir",
                str(DBT_PROJECT_DIR),
            ],
            check=True,
        )
    return manifest


@functools.cache
def _dbt_manifest_nodes() -> tuple[tuple[str, str, str], ...]:
    manifest = json.loads(ensure_dbt_manifest().read_text())
    nodes = [*manifest["nodes"].values(), *manifest["sources"].values()]
    return tuple(sorted((node["resource_type"], node["schema"], node["name"]) for node in nodes))


def dbt_models() -> list[tuple[str, str]]:
    """`(schema, name)` of every dbt model, from the manifest (parsed first if stale)."""
    return [(schema, name) for kind, schema, name in _dbt_manifest_nodes() if kind == "model"]


@functools.cache
def dbt_source_freshness() -> dict[tuple[str, str], dict]:
    """`(schema, table)` of every dbt source table -> its `freshness` rule (warn_after and
    error_after, each `{count, period}`), as dbt resolved it from the sources' YAML."""
    manifest = json.loads(ensure_dbt_manifest().read_text())
    return {
        (node["schema"], node["name"]): node["freshness"]
        for node in manifest["sources"].values()
        if node.get("freshness")
    }


def dbt_sources() -> list[tuple[str, str]]:
    """`(schema, table)` of every dbt source table."""
    return [(schema, name) for kind, schema, name in _dbt_manifest_nodes() if kind == "source"]


class LockingDltResource(DagsterDltResource):
    """dagster-dlt's resource, holding the advisory lock `raw_<source>` (the pipeline's dataset)
    while it loads, so two runs never load the same source at once (`orchestration/locks.py`)."""

    # `_run` is the generator behind the public `run` (dagster-dlt 0.29); wrapping it keeps the
    # lock for exactly as long as the load's events are being produced.
    def _run(self, context, dlt_source, dlt_pipeline, dagster_dlt_translator, **kwargs):  # type: ignore[override]
        with advisory_lock(warehouse_url(), dlt_pipeline.dataset_name, log=context.log.info):
            yield from super()._run(
                context=context,
                dlt_source=dlt_source,
                dlt_pipeline=dlt_pipeline,
                dagster_dlt_translator=dagster_dlt_translator,
                **kwargs,
            )


def build_resources() -> dict[str, object]:
    """The resources every asset may ask for, by name."""
    return {
        "dbt": DbtCliResource(project_dir=dbt_project, dbt_executable=str(DBT_EXECUTABLE)),
        "dlt": LockingDltResource(),
    }
