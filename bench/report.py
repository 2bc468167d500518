"""The goals of issue #8, and the results written as `latest.json` and a dated Markdown table."""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from pathlib import Path

RESULTS_DIR = Path(__file__).resolve().parent / "results"

# (what, passes) per goal; each reads the flat results object.
GOALS: dict[str, tuple[str, Callable[[dict], bool]]] = {
    "ingest_vs_copy": (
        "ingest_orders_rows_per_s >= 50% of copy_rows_per_s",
        lambda r: r["ingest_orders_rows_per_s"] >= 0.5 * r["copy_rows_per_s"],
    ),
    "dbt_incremental": (
        "dbt_incremental_s <= 10% of dbt_full_s",
        lambda r: r["dbt_incremental_s"] <= 0.1 * r["dbt_full_s"],
    ),
    "checks": ("checks_s < dbt_full_s", lambda r: r["checks_s"] < r["dbt_full_s"]),
    "pipeline_wall": ("pipeline_wall_s < 600", lambda r: r["pipeline_wall_s"] < 600),
    "pipeline_rss": ("pipeline_peak_rss_mib < 4096", lambda r: r["pipeline_peak_rss_mib"] < 4096),
    "app_warm": ("app_p95_warm_ms < 200", lambda r: r["app_p95_warm_ms"] < 200),
    "app_cold": ("app_p95_cold_ms < 1500", lambda r: r["app_p95_cold_ms"] < 1500),
}

# The Markdown table's rows: key, unit, what it is.
ROWS = [
    ("source_rows", "rows", "orders database rows (all tables)"),
    ("copy_rows_per_s", "rows/s", "raw COPY source -> warehouse (the limit)"),
    ("ingest_orders_rows_per_s", "rows/s", "our dlt orders path (ConnectorX, Parquet/ADBC COPY)"),
    ("ingest_share_of_copy", "ratio", "ours / COPY"),
    ("ingest_orders_rerun_s", "s", "the orders load run again with nothing new (fixed cost)"),
    ("crm_records", "records", "CRM records loaded over HTTP"),
    ("crm_records_per_s", "records/s", "CRM over HTTP, pages of 100"),
    ("crm_wait_share", "ratio", "share of CRM time waiting on the server"),
    ("pipeline_wall_s", "s", "`make pipeline` on an empty warehouse"),
    ("pipeline_peak_rss_mib", "MiB", "peak RSS of its whole process tree"),
    ("dbt_startup_s", "s", "a dbt command's start before any SQL (`dbt ls`)"),
    ("dbt_full_s", "s", "dbt build --full-refresh (models and data tests)"),
    ("dbt_incremental_s", "s", "dbt build after a 1% change"),
    ("dbt_incremental_elapsed_s", "s", "of which dbt's own elapsed time (no startup)"),
    ("incremental_change_share", "ratio", "new or changed order lines / all"),
    ("checks_s", "s", "dbt tests + GX suites"),
    ("dbt_tests_s", "s", "of which dbt tests"),
    ("gx_s", "s", "of which GX suites"),
    ("app_queries", "queries", "queries the pages send"),
    ("app_p50_warm_ms", "ms", "page queries, warm, median"),
    ("app_p95_warm_ms", "ms", "page queries, warm, p95"),
    ("app_p95_cold_ms", "ms", "page queries after a server restart, p95"),
]


def previous(scale: str) -> dict:
    """The scale's latest results, or nothing."""
    path = RESULTS_DIR / f"latest-{scale}.json"
    return json.loads(path.read_text()) if path.exists() else {}


def goals_met(results: dict) -> dict[str, bool | None]:
    """Each goal: met, missed, or None when a figure it needs was not measured."""
    met: dict[str, bool | None] = {}
    for name, (_, check) in GOALS.items():
        try:
            met[name] = check(results)
        except KeyError:
            met[name] = None
    return met


def _cell(value: object) -> str:
    if isinstance(value, float):
        if value < 10:
            return f"{value:.3f}"
        return f"{value:,.0f}" if value >= 1000 else f"{value:.1f}"
    if isinstance(value, int):
        return f"{value:,}"
    return str(value)


def markdown(results: dict, runs: dict[str, list[float]]) -> str:
    """A table of the medians, the individual runs and the load average while they ran."""
    lines = [
        f"# Benchmark, scale {results['scale']} ({results['started_at']})",
        "",
        f"Machine: {results['machine_cores']} cores, {results['machine_memory_gib']:.1f} GiB, "
        f"{results['machine_platform']}. Each figure is the median of the runs listed beside it "
        f"({results['runs']} asked for); "
        "the load average is the 1-minute figure at the end of each step (other work on the "
        "machine shows there).",
        "",
        "| figure | median | unit | runs | load avg | what |",
        "|---|---:|---|---|---:|---|",
    ]
    for key, unit, what in ROWS:
        if key not in results:
            continue
        each = ", ".join(_cell(v) for v in runs.get(key, []))
        load = results.get(f"load_avg_{key}", "")
        median = _cell(results[key])
        lines.append(f"| `{key}` | {median} | {unit} | {each} | {_cell(load)} | {what} |")
    lines += ["", "| goal | met |", "|---|---|"]
    for name, (what, _) in GOALS.items():
        met = results[f"goal_{name}"]
        verdict = "not measured" if met is None else "yes" if met else "**no**"
        lines.append(f"| {what} | {verdict} |")
    pages = {k: v for k, v in results.items() if k.startswith("app_page_ms_")}
    if pages:
        lines += ["", "| page | its queries, warm, total ms |", "|---|---:|"]
        lines += [f"| {k.removeprefix('app_page_ms_')} | {_cell(v)} |" for k, v in pages.items()]
    return "\n".join(lines) + "\n"


def write(results: dict, runs: dict[str, list[float]], complete: bool = True) -> list[Path]:
    """`latest-<scale>.json` and the dated table; `latest.json` too when every step ran."""
    RESULTS_DIR.mkdir(parents=True, exist_ok=True)
    stamp = time.strftime("%Y-%m-%d", time.gmtime())
    text = json.dumps(results, indent=2, sort_keys=True) + "\n"
    scale = results["scale"]
    paths = [RESULTS_DIR / f"latest-{scale}.json", RESULTS_DIR / f"{stamp}-{scale}.md"]
    paths[0].write_text(text)
    paths[1].write_text(markdown(results, runs))
    if complete:
        paths.append(RESULTS_DIR / "latest.json")
        paths[-1].write_text(text)
    return paths
