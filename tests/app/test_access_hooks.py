"""Every dbt build re-applies the app's roles, grants and row-level security (docs/access.md)."""

from __future__ import annotations

import re
from pathlib import Path

import yaml

PROJECT = Path(__file__).resolve().parents[2] / "dbt_project" / "dbt_project.yml"


def test_the_access_hooks_are_configured_once() -> None:
    text = PROJECT.read_text(encoding="utf-8")
    # YAML keeps only the last of two equal keys: a second `on-run-start:` would silently drop
    # the access setup, so each hook key must appear once, holding every hook as a list item.
    top_level_keys = re.findall(r"^([a-z][a-z-]*):", text, flags=re.MULTILINE)
    assert top_level_keys.count("on-run-start") == 1
    assert top_level_keys.count("on-run-end") == 1
    config = yaml.safe_load(text)
    assert "{{ access_setup() }}" in config["on-run-start"]
    assert "{{ access_refresh(results) }}" in config["on-run-end"]
    marts = config["models"]["sales_warehouse"]["marts"]
    assert "{{ access_protect() }}" in marts["+post-hook"]
