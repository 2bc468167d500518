"""How fresh each source must be; Dagster's daemon marks a source asset stale past its window.

A source's window follows its schedule: the CRM loads hourly in business hours and again in the
nightly pipeline, so more than 8 hours without a load is a warning and more than a day a failure;
the other sources load nightly, so a missed night (26 hours) is a failure.
"""

from __future__ import annotations

import datetime as dt

from dagster import AssetSpec, FreshnessPolicy

NIGHTLY = FreshnessPolicy.time_window(fail_window=dt.timedelta(hours=26))
SOURCE_FRESHNESS: dict[str, FreshnessPolicy] = {
    "raw_crm": FreshnessPolicy.time_window(
        fail_window=dt.timedelta(hours=26), warn_window=dt.timedelta(hours=8)
    ),
}


def source_freshness(source_schema: str) -> FreshnessPolicy:
    """The freshness policy of the source loading schema `source_schema` (`raw_<source>`)."""
    return SOURCE_FRESHNESS.get(source_schema, NIGHTLY)


def with_source_freshness(spec: AssetSpec) -> AssetSpec:
    """`spec` with its source's freshness policy, for every `raw_<source>/<table>` asset."""
    source_schema = spec.key.path[0]
    if not source_schema.startswith("raw_"):
        return spec
    return spec.replace_attributes(freshness_policy=source_freshness(source_schema))
