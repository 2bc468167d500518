"""How fresh each source must be: declared once, in dbt's sources, and derived here for Dagster.

The home of the rule is `freshness` in `dbt_project/models/staging/<source>/_<source>__sources.yml`
(per source, a table may override it: FX rates are daily), where `dbt source freshness` reads it
and dbt docs show it. Dagster's daemon marks a `raw_<source>/<table>` asset stale by the same
rule: warn after `warn_after`, fail after `error_after`. The two used to be written twice with
different numbers (dbt 26/50 hours, Dagster 8/26 for the CRM); now a change in the YAML changes
both, and tests/orchestration/test_freshness.py checks they agree.

A raw table dbt does not declare (a `*_rejected` table, dlt's own) takes its source's rule: the
one most of the source's declared tables follow.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter

from dagster import AssetSpec, FreshnessPolicy

from orchestration.resources import dbt_source_freshness

PERIODS = {"minute": "minutes", "hour": "hours", "day": "days"}


def _window(after: dict | None) -> dt.timedelta | None:
    if not after or after.get("count") is None:
        return None
    return dt.timedelta(**{PERIODS[after["period"]]: after["count"]})


def _policy(rule: dict) -> FreshnessPolicy:
    return FreshnessPolicy.time_window(
        fail_window=_window(rule.get("error_after")), warn_window=_window(rule.get("warn_after"))
    )


def freshness_rule(source_schema: str, table: str) -> dict | None:
    """dbt's freshness rule for a raw table: its own, else its source's most common one."""
    rules = dbt_source_freshness()
    if (source_schema, table) in rules:
        return rules[(source_schema, table)]
    declared = [repr(rule) for (schema, _), rule in rules.items() if schema == source_schema]
    if not declared:
        return None
    most_common = Counter(declared).most_common(1)[0][0]
    return next(rule for rule in rules.values() if repr(rule) == most_common)


def with_source_freshness(spec: AssetSpec) -> AssetSpec:
    """`spec` with its dbt freshness rule as a policy, for every `raw_<source>/<table>` asset."""
    source_schema = spec.key.path[0]
    if not source_schema.startswith("raw_"):
        return spec
    rule = freshness_rule(source_schema, spec.key.path[-1])
    if rule is None or _window(rule.get("error_after")) is None:
        return spec
    return spec.replace_attributes(freshness_policy=_policy(rule))
