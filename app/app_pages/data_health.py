"""Data health: is the data fresh, did the last load and build succeed, do the checks pass?"""

from datetime import UTC, datetime, timedelta

import pandas as pd
import streamlit as st

from app.context import context
from app.data.health import (
    check_results,
    file_reconciliation,
    quality_results,
    refreshes,
    source_loads,
)
from app.i18n import fmt_number, t

# A source whose last successful load is older than this is shown as stale (loads run nightly).
STALE_AFTER = timedelta(hours=26)

ctx = context()
now = datetime.now(UTC)

st.title(t("pages.health"))

runs = refreshes(ctx.reader)
if runs.empty:
    st.info(t("app.no_marts"))
    st.stop()
latest = runs.iloc[0]
good = runs[runs["nodes_failed"] == 0]
if latest["nodes_failed"] == 0:
    st.success(
        t("health.build_ok", at=f"{latest['finished_at']:%Y-%m-%d %H:%M} UTC"),
        icon=":material/check_circle:",
    )
else:
    last_good = (
        f"{good.iloc[0]['finished_at']:%Y-%m-%d %H:%M} UTC" if not good.empty else t("health.never")
    )
    st.error(
        t("health.build_failed", failed=fmt_number(latest["nodes_failed"]), last_good=last_good),
        icon=":material/error:",
    )

# A failed blocking check leaves the guarded marts (payouts, commission lines) unpublished: `marts`
# keeps the previous good tables (write-audit-publish), which are now older than the rest.
quality = quality_results(ctx.reader)
blocked = quality[(quality["table_schema"] == "marts_audit") & ~quality["is_success"].astype(bool)]
if not blocked.empty:
    st.error(
        t(
            "health.unpublished",
            tables=", ".join(sorted(blocked["table_name"])),
            at=f"{blocked['validated_at'].max():%Y-%m-%d %H:%M} UTC",
        ),
        icon="🚫",
    )

st.subheader(t("health.sources"))
loads = source_loads(ctx.reader)
if loads.empty:
    st.info(t("app.no_rows"))
else:
    ages = [
        now - pd.Timestamp(at).to_pydatetime() if pd.notna(at) else None
        for at in loads["last_success_at"]
    ]
    st.dataframe(
        pd.DataFrame(
            {
                t("health.col.source"): loads["source_schema"],
                t("health.col.last_success"): loads["last_success_at"],
                t("health.col.age_hours"): [
                    fmt_number(age.total_seconds() / 3600, 1) if age else "-" for age in ages
                ],
                t("health.col.fresh"): [
                    "✅" if age is not None and age <= STALE_AFTER else "⚠️" for age in ages
                ],
                t("health.col.loads"): [fmt_number(v) for v in loads["successful_loads"]],
                t("health.col.other_loads"): [fmt_number(v) for v in loads["other_loads"]],
            }
        ),
        hide_index=True,
        height="content",
        column_config={
            t("health.col.fresh"): st.column_config.TextColumn(
                help=t("health.fresh_help", hours=fmt_number(STALE_AFTER.total_seconds() / 3600))
            )
        },
    )

st.subheader(t("health.files"))
files = file_reconciliation(ctx.reader)
if files.empty:
    st.info(t("app.no_rows"))
else:
    rejected = files[files["rows_rejected"] > 0]
    if not rejected.empty:
        st.warning(
            t(
                "health.files_rejected",
                rows=fmt_number(rejected["rows_rejected"].sum()),
                files=", ".join(rejected["source_file"]),
            ),
            icon=":material/warning:",
        )
    accounted = files["rows_loaded"] + files["rows_rejected"] + files["rows_merged"]
    st.dataframe(
        pd.DataFrame(
            {
                t("health.col.source"): files["source_schema"],
                t("health.col.file"): files["source_file"],
                t("health.col.read"): [fmt_number(v) for v in files["rows_read"]],
                t("health.col.loaded"): [fmt_number(v) for v in files["rows_loaded"]],
                t("health.col.rejected"): [fmt_number(v) for v in files["rows_rejected"]],
                t("health.col.merged"): [fmt_number(v) for v in files["rows_merged"]],
                t("health.col.balanced"): [
                    "✅" if ok else "🚫" for ok in accounted == files["rows_read"]
                ],
                t("health.col.counted"): files["loaded_at"],
            }
        ),
        hide_index=True,
        height="content",
    )

st.subheader(t("health.checks"))
checks = check_results(ctx.reader)
if checks.empty:
    st.info(t("app.no_rows"))
else:
    counts = checks["status"].value_counts()
    cards = st.columns(3)
    cards[0].metric(t("health.passed"), fmt_number(counts.get("pass", 0)), border=True)
    cards[1].metric(
        t("health.failed"), fmt_number(counts.get("fail", 0) + counts.get("error", 0)), border=True
    )
    cards[2].metric(
        t("health.other"), fmt_number(counts.get("warn", 0) + counts.get("skipped", 0)), border=True
    )
    st.dataframe(
        pd.DataFrame(
            {
                t("health.col.check"): checks["unique_id"],
                t("health.col.status"): checks["status"],
                t("health.col.failures"): checks["failures"],
                t("health.col.message"): checks["message"],
            }
        ),
        hide_index=True,
        height="content",
    )

st.subheader(t("health.quality"))
if quality.empty:
    st.info(t("app.no_rows"))
else:
    st.dataframe(
        pd.DataFrame(
            {
                t("health.col.suite"): quality["suite_name"],
                t("health.col.table"): quality["table_schema"] + "." + quality["table_name"],
                t("health.col.status"): ["✅" if ok else "🚫" for ok in quality["is_success"]],
                t("health.col.expectations"): [
                    f"{fmt_number(ok)} / {fmt_number(total)}"
                    for ok, total in zip(
                        quality["successful_expectations"],
                        quality["evaluated_expectations"],
                        strict=True,
                    )
                ],
                t("health.col.rows"): [fmt_number(v) for v in quality["row_count"]],
                t("health.col.validated"): quality["validated_at"],
            }
        ),
        hide_index=True,
        height="content",
    )

st.subheader(t("health.builds"))
st.dataframe(
    pd.DataFrame(
        {
            t("health.col.finished"): runs["finished_at"],
            t("health.col.ok"): runs["nodes_ok"],
            t("health.col.failed"): runs["nodes_failed"],
        }
    ),
    hide_index=True,
    height="content",
)
