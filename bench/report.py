"""The goals of issues #8 and #19, and the results written as `latest.json`, a dated Markdown table
per scale and `summary.md`, every scale side by side."""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from pathlib import Path

RESULTS_DIR = Path(__file__).resolve().parent / "results"
SCALE_ORDER = ("S", "L", "XL")


def _at_xl(results: dict, xl: float, other: float) -> float:
    return xl if results.get("scale") == "XL" else other


# (what, passes) per goal; each reads the flat results object (issue #19's goals are set at L and
# XL; at S the same bar is shown for comparison).
GOALS: dict[str, tuple[str, Callable[[dict], bool]]] = {
    "ingest_vs_copy": (
        "ingest_orders_rows_per_s >= 60% of copy_rows_per_s (50% at S)",
        lambda r: (
            r["ingest_orders_rows_per_s"]
            >= (0.5 if r.get("scale") == "S" else 0.6) * r["copy_rows_per_s"]
        ),
    ),
    "dbt_incremental": (
        "dbt_incremental_s <= 10% of dbt_full_s (5% at XL)",
        lambda r: r["dbt_incremental_s"] <= _at_xl(r, 0.05, 0.1) * r["dbt_full_s"],
    ),
    "pipeline_nightly": (
        "pipeline_nightly_s (after a 1% change) < 300",
        lambda r: r["pipeline_nightly_s"] < 300,
    ),
    "checks": ("checks_s < dbt_full_s", lambda r: r["checks_s"] < r["dbt_full_s"]),
    "pipeline_wall": (
        "pipeline_wall_s < 600 (2700 at XL)",
        lambda r: r["pipeline_wall_s"] < _at_xl(r, 2700, 600),
    ),
    "pipeline_rss": ("pipeline_peak_rss_mib < 4096", lambda r: r["pipeline_peak_rss_mib"] < 4096),
    "generator_rss": (
        "demo_build_peak_rss_mib < 4096",
        lambda r: r["demo_build_peak_rss_mib"] < 4096,
    ),
    "app_warm": ("app_p95_warm_ms < 200", lambda r: r["app_p95_warm_ms"] < 200),
    "app_cold": ("app_p95_cold_ms < 1500", lambda r: r["app_p95_cold_ms"] < 1500),
}

# issue #19's goals table: (label, key or ratio of two keys, goal text)
SUMMARY = [
    ("order lines in the source", "order_lines", ""),
    ("generator wall s", "demo_build_s", ""),
    ("generator peak RSS MiB", "demo_build_peak_rss_mib", "< 4096"),
    (
        "dbt build after a 1% change / full build",
        ("dbt_incremental_s", "dbt_full_s"),
        "<= 0.10 at L, <= 0.05 at XL",
    ),
    ("dbt build after a 1% change, s", "dbt_incremental_s", ""),
    ("dbt full build, s", "dbt_full_s", ""),
    ("dbt start-up (`dbt ls`), s", "dbt_startup_s", ""),
    ("nightly `make pipeline` after a 1% change, s", "pipeline_nightly_s", "< 300 at XL"),
    ("full `make pipeline` from empty, s", "pipeline_wall_s", "< 2700 at XL"),
    ("its peak RSS, MiB", "pipeline_peak_rss_mib", "< 4096"),
    ("orders load / raw COPY", ("ingest_orders_rows_per_s", "copy_rows_per_s"), ">= 0.6"),
    ("app page queries warm p95, ms", "app_p95_warm_ms", "< 200 at XL"),
]

# The Markdown table's rows: key, unit, what it is.
ROWS = [
    ("demo_build_s", "s", "generating the demo sources at this scale"),
    ("demo_build_peak_rss_mib", "MiB", "the generator's peak RSS (whole process tree)"),
    ("source_rows", "rows", "orders database rows (all tables)"),
    ("order_lines", "rows", "of which order lines"),
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
    ("pipeline_nightly_s", "s", "`make pipeline` after a 1% change (the nightly run)"),
    ("pipeline_nightly_peak_rss_mib", "MiB", "its peak RSS"),
    ("nightly_change_share", "ratio", "new or changed order lines / all, before it"),
    ("dbt_incremental_s", "s", "dbt build after a 1% change"),
    ("dbt_incremental_share", "ratio", "dbt build after a 1% change / full build"),
    ("dbt_incremental_elapsed_s", "s", "of which dbt's own elapsed time (no startup)"),
    ("incremental_change_share", "ratio", "new or changed order lines / all"),
    ("checks_s", "s", "dbt tests + GX suites"),
    ("dbt_tests_s", "s", "of which dbt tests"),
    ("gx_s", "s", "of which GX suites"),
    ("app_queries", "queries", "queries the pages send"),
    ("app_p50_warm_ms", "ms", "page queries, warm, median"),
    ("app_p95_warm_ms", "ms", "page queries, warm, p95"),
    ("app_p95_cold_ms", "ms", "page queries after a server restart, p95"),
    # `--engine spark` (bench/spark.py)
    ("spark_raw_load_s", "s", "every raw asset written as Parquet (RAW_DESTINATION=filesystem)"),
    ("spark_raw_load_peak_rss_mib", "MiB", "its peak RSS"),
    ("spark_raw_mib", "MiB", "the raw Parquet on disk"),
    ("spark_register_s", "s", "`register_parquet_sources` (a JVM start and a table per source)"),
    ("spark_build_s", "s", "`dbt build --target spark` from nothing (models and data tests)"),
    ("spark_build_elapsed_s", "s", "of which dbt's own elapsed time"),
    ("spark_build_startup_s", "s", "of which before it: the interpreter, dbt, the JVM"),
    ("spark_build_peak_rss_mib", "MiB", "peak RSS of dbt and the JVM"),
    ("spark_build_order_lines_per_s", "rows/s", "order lines / build wall time"),
    ("spark_build_failed", "nodes", "models or data tests not green"),
    ("spark_layer_s_staging", "s", "summed node time, staging"),
    ("spark_layer_s_intermediate", "s", "summed node time, intermediate"),
    ("spark_layer_s_marts", "s", "summed node time, marts"),
    ("spark_layer_s_data tests", "s", "summed node time, data tests"),
    ("spark_layer_s_hooks", "s", "summed node time, hooks"),
    ("spark_median_view_s", "s", "a view's time (no data read: the cost per node)"),
    ("spark_publish_s", "s", "`make publish-spark`'s step into PostgreSQL's marts"),
    ("spark_publish_peak_rss_mib", "MiB", "its peak RSS"),
    ("spark_incremental_raw_load_s", "s", "the raw load after a 1% change (merged on key)"),
    ("spark_incremental_build_s", "s", "`dbt build --target spark` after it"),
    ("spark_incremental_elapsed_s", "s", "of which dbt's own elapsed time"),
    ("spark_incremental_share", "ratio", "build after the change / build from nothing"),
]


def label(scale: str, engine: str = "postgres") -> str:
    """What the result files of a scale and engine are named by: `L`, `L-spark`."""
    return scale if engine == "postgres" else f"{scale}-{engine}"


def previous(name: str) -> dict:
    """The latest results of a scale (or `label`), or nothing."""
    path = RESULTS_DIR / f"latest-{name}.json"
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


def markdown(results: dict, runs: dict[str, list[float]], loads: dict[str, list[str]]) -> str:
    """A table of the medians, the individual runs and the load average while they ran."""
    lines = [
        f"# Benchmark, scale {results['scale']}"
        + (" on Spark" if results.get("engine") == "spark" else "")
        + f" ({results['started_at']})",
        "",
        f"Machine: {results['machine_cores']} cores, {results['machine_memory_gib']:.1f} GiB, "
        f"{results['machine_platform']}. Each figure is the median of the runs listed beside it "
        f"({results['runs']} asked for); "
        "the load is the machine's load average (1/5/15 minutes, as `uptime` shows it) after each "
        "run: the machine is shared with other work, so the times are pessimistic.",
        "",
        "| figure | median | unit | runs | load after each run | what |",
        "|---|---:|---|---|---:|---|",
    ]
    for key, unit, what in ROWS:
        if key not in results:
            continue
        each = ", ".join(_cell(v) for v in runs.get(key, []))
        load = ", ".join(loads.get(key, results.get(f"uptime_{key}", [])))
        median = _cell(results[key])
        lines.append(f"| `{key}` | {median} | {unit} | {each} | {load} | {what} |")
    lines += ["", "| goal | met |", "|---|---|"]
    for name, (what, _) in GOALS.items():
        met = results[f"goal_{name}"]
        verdict = "not measured" if met is None else "yes" if met else "**no**"
        lines.append(f"| {what} | {verdict} |")
    lines += _spark_sections(results)
    pages = {k: v for k, v in results.items() if k.startswith("app_page_ms_")}
    if pages:
        lines += ["", "| page | its queries, warm, total ms |", "|---|---:|"]
        lines += [f"| {k.removeprefix('app_page_ms_')} | {_cell(v)} |" for k, v in pages.items()]
    return "\n".join(lines) + "\n"


def _spark_sections(results: dict) -> list[str]:
    """The Spark run's settings, slowest nodes and the marts' check against PostgreSQL."""
    lines: list[str] = []
    if "spark_settings" in results:
        used = ", ".join(f"{k}={v}" for k, v in results["spark_settings"].items())
        lines += ["", f"Spark settings: {used}."]
    for key, title in (
        ("spark_build_breakdown", "the build from nothing"),
        ("spark_incremental_breakdown", "the build after the change"),
    ):
        if key in results:
            figures = results[key]
            lines += ["", f"Slowest nodes of {title}:", ""]
            lines += [f"- `{node}`" for node in figures["top_nodes"]]
            lines += [f"- not green: `{node}`" for node in figures["failed"]]
    if "spark_mart_totals_postgres" in results:
        differences = results["spark_mart_differences"]
        marts = results["spark_mart_totals_postgres"]
        lines += [
            "",
            f"Marts checked against PostgreSQL's build of the same demo (rows and the sum of "
            f"every numeric column): {len(marts)} marts, {len(differences)} differences.",
        ]
        lines += [f"- {line}" for line in differences]
    return lines


def _summary_cell(results: dict, what: str | tuple[str, str]) -> str:
    try:
        if isinstance(what, tuple):
            return f"{results[what[0]] / results[what[1]]:.3f}"
        return _cell(results[what])
    except KeyError:
        return "not measured"


def summary(by_scale: dict[str, dict]) -> str:
    """Issue #19's goals table with a column per scale, from each scale's latest results."""
    scales = [s for s in SCALE_ORDER if s in by_scale]
    lines = [
        "# Benchmark summary: every scale's latest results",
        "",
        "Written by `make bench`; each column is that scale's `latest-<scale>.json`. The machine "
        "is shared (see the load beside each run in the dated tables), so times are pessimistic.",
        "",
        "| figure | " + " | ".join(scales) + " | goal |",
        "|---|" + "---:|" * len(scales) + "---|",
    ]
    for label, what, goal in SUMMARY:
        cells = " | ".join(_summary_cell(by_scale[s], what) for s in scales)
        lines.append(f"| {label} | {cells} | {goal} |")
    lines += [
        "| measured | "
        + " | ".join(
            f"{by_scale[s].get('started_at', '?')} (load {by_scale[s].get('load_avg_start', 0):.1f}"
            " at start)"
            for s in scales
        )
        + " | |"
    ]
    return "\n".join(lines) + "\n"


def write(
    results: dict,
    runs: dict[str, list[float]],
    loads: dict[str, list[str]] | None = None,
    complete: bool = True,
) -> list[Path]:
    """`latest-<scale>.json`, the dated table and `summary.md`; `latest.json` too when every
    step of the scale ran."""
    RESULTS_DIR.mkdir(parents=True, exist_ok=True)
    stamp = time.strftime("%Y-%m-%d", time.gmtime())
    text = json.dumps(results, indent=2, sort_keys=True) + "\n"
    scale = results["scale"]
    name = label(scale, results.get("engine", "postgres"))
    paths = [RESULTS_DIR / f"latest-{name}.json", RESULTS_DIR / f"{stamp}-{name}.md"]
    paths[0].write_text(text)
    paths[1].write_text(markdown(results, runs, loads or {}))
    by_scale = {scale: previous(scale) for scale in SCALE_ORDER}
    paths.append(RESULTS_DIR / "summary.md")
    paths[-1].write_text(summary({scale: r for scale, r in by_scale.items() if r}))
    if complete and name == scale:  # `latest.json` and the summary are PostgreSQL's
        paths.append(RESULTS_DIR / "latest.json")
        paths[-1].write_text(text)
    return paths
