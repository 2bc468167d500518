"""What one engine's SQL must not hold when compiled for the other (docs/spark.md).

A dbt model is portable when every engine-specific construct sits in a dispatched macro
(dbt's cross-database macros, ours in dbt_project/macros/cross_db): compiled for Spark, it
holds none of PostgreSQL's own syntax, and compiled for PostgreSQL none of Spark's. The
patterns look at the SQL with comments removed and every string literal emptied, so a word
inside a comment or a value never counts.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from pathlib import Path

# PostgreSQL syntax that Spark SQL 3.5 rejects, or reads with another meaning.
POSTGRES_ONLY: Mapping[str, str] = {
    "`::` cast": r"::\s*[a-z]",
    "with recursive": r"\bwith\s+recursive\b",
    "generate_series": r"\bgenerate_series\s*\(",
    "string_agg / array_agg": r"\b(string_agg|array_agg)\s*\(",
    "distinct on": r"\bdistinct\s+on\s*\(",
    "interval literal": r"\binterval\s*''",
    "to_char": r"\bto_char\s*\(",
    "date_part / extract(epoch|isodow|dow)": (
        r"\bdate_part\s*\(|\bextract\s*\(\s*(epoch|isodow|dow)\b"
    ),
    "regex operator ~": r"[^~!]\s*!?~\*?\s*''",
    "bare numeric": r"\bnumeric\b(?!\s*\()",
    "timestamptz": r"\btimestamptz\b|\btime\s+zone\b",
    "text type": r"\bas\s+text\b",
    "numeric trunc()": r"(?<!date_)\btrunc\s*\(",
    "json operators": r"->>|\bjsonb?\b",
    "plpgsql / catalog": r"\$\w*\$|\bregclass\b|\bpg_catalog\b|\bpg_class\b",
}

# Spark SQL that PostgreSQL rejects.
SPARK_ONLY: Mapping[str, str] = {
    "rlike": r"\brlike\b",
    "date_format": r"\bdate_format\s*\(",
    "explode / sequence": r"\b(explode|sequence)\s*\(",
    "collect_list / array_sort / element_at": (
        r"\b(collect_list|collect_set|array_sort|try_element_at|element_at)\s*\("
    ),
    "unix_timestamp / dayofweek": r"\b(unix_timestamp|dayofweek|from_unixtime)\s*\(",
    "backtick quoting": r"`",
    "string type": r"\bas\s+string\b",
    "using parquet": r"\busing\s+(parquet|delta)\b",
}

_COMMENTS = re.compile(r"--[^\n]*|/\*.*?\*/", re.S)
_LITERALS = re.compile(r"'(?:[^']|'')*'")


def code_only(sql: str) -> str:
    """The SQL with comments removed and string literals emptied (`'...'` -> `''`), lowercased."""
    return _LITERALS.sub("''", _COMMENTS.sub(" ", sql)).lower()


def constructs(sql: str, patterns: Mapping[str, str]) -> set[str]:
    """The names of the `patterns` found in the code of `sql`."""
    code = code_only(sql)
    return {name for name, pattern in patterns.items() if re.search(pattern, code)}


def compiled_models(target_path: Path) -> dict[str, str]:
    """Each model's compiled SQL in a dbt target folder's manifest, by model name."""
    manifest = json.loads((target_path / "manifest.json").read_text(encoding="utf-8"))
    return {
        node["name"]: node["compiled_code"]
        for node in manifest["nodes"].values()
        if node["resource_type"] == "model" and node.get("compiled_code") is not None
    }


def survey(target_path: Path, patterns: Mapping[str, str]) -> dict[str, set[str]]:
    """The models whose compiled SQL holds any of `patterns`, with what each holds."""
    found = {name: constructs(sql, patterns) for name, sql in compiled_models(target_path).items()}
    return {name: names for name, names in sorted(found.items()) if names}


# The models still to convert (docs/spark.md, "Conversion"), with the PostgreSQL constructs each
# still holds compiled for Spark (a bare `numeric` is decimal(10, 0) there: whole units). It only
# shrinks: a model converted leaves it (the suite says so when an entry is out of date), and a
# model not listed must compile to portable SQL.
STILL_TO_CONVERT: Mapping[str, set[str]] = {}
