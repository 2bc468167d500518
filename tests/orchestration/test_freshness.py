"""Freshness is declared once (dbt's sources) and Dagster's policies agree with it."""

from __future__ import annotations

import datetime as dt

import pytest


@pytest.fixture(scope="module")
def raw_specs() -> dict[tuple[str, str], object]:
    from orchestration.definitions import defs

    specs = {}
    for assets_def in defs.assets or []:
        for spec in getattr(assets_def, "specs", []):
            if spec.key.path[0].startswith("raw_"):
                specs[tuple(spec.key.path)] = spec
    return specs


def test_dagster_follows_every_freshness_rule_dbt_declares(raw_specs) -> None:
    from orchestration.freshness import _window
    from orchestration.resources import dbt_source_freshness

    compared = 0
    for key, rule in dbt_source_freshness().items():
        if key not in raw_specs:
            continue
        policy = raw_specs[key].freshness_policy
        assert policy.fail_window.to_timedelta() == _window(rule["error_after"]), key
        assert policy.warn_window.to_timedelta() == _window(rule["warn_after"]), key
        compared += 1
    assert compared >= 20  # every source's tables, not a lucky few


def test_the_rules_as_the_yaml_writes_them(raw_specs) -> None:
    # _crm__sources.yml: warn 26 h, error 50 h; _finance__sources.yml: 35/70 days, fx_rates 3/7
    expected = {
        ("raw_crm", "deals"): (dt.timedelta(hours=26), dt.timedelta(hours=50)),
        ("raw_finance", "targets"): (dt.timedelta(days=35), dt.timedelta(days=70)),
        ("raw_finance", "fx_rates"): (dt.timedelta(days=3), dt.timedelta(days=7)),
        # not a dbt source: its source's rule
        ("raw_crm_files", "deals_rejected"): (dt.timedelta(days=7), dt.timedelta(days=14)),
    }
    for key, (warn, fail) in expected.items():
        policy = raw_specs[key].freshness_policy
        assert (policy.warn_window.to_timedelta(), policy.fail_window.to_timedelta()) == (
            warn,
            fail,
        ), key
