"""The cheap half of the engine-syntax check (the full one, on SQL compiled for both targets,
needs a SparkSession: tests/spark/test_engine_syntax.py, `make test-spark`).

Here, without compiling: the SQL a model writes itself (its Jinja left out) holds no PostgreSQL-only
syntax unless the model is on the list still to convert, and docs/spark.md's conversion table is
that list."""

from __future__ import annotations

import re
from pathlib import Path

from ingestion.platform.paths import PROJECT_ROOT
from tests.spark.engine_syntax import POSTGRES_ONLY, SPARK_ONLY, STILL_TO_CONVERT, constructs

MODELS = PROJECT_ROOT / "dbt_project" / "models"
_JINJA = re.compile(r"\{#.*?#\}|\{%.*?%\}|\{\{.*?\}\}", re.S)


def _own_sql(path: Path) -> str:
    return _JINJA.sub(" ", path.read_text(encoding="utf-8"))


def test_patterns_see_code_not_comments_or_values() -> None:
    sql = """
        -- a comment may say ::text or with recursive
        select
            id::text as id,
            cast(amount as numeric) as amount,
            cast(at as timestamptz) as at,
            'a ~ value: interval generate_series(' as note,
            name ~ '[0-9]' as has_digit
        from generate_series(1, 3)
        where d + interval '1 month' > current_date
    """
    assert constructs(sql, POSTGRES_ONLY) == {
        "`::` cast",
        "bare numeric",
        "timestamptz",
        "regex operator ~",
        "generate_series",
        "interval literal",
    }
    portable = "select cast(amount as numeric(18, 2)) as amount, date_trunc('month', d) from t"
    assert constructs(portable, POSTGRES_ONLY) == set()
    assert constructs("select x rlike '[0-9]', date_format(d, 'yyyy-MM')", SPARK_ONLY) == {
        "rlike",
        "date_format",
    }


def test_models_write_no_postgres_syntax_outside_macros() -> None:
    models = {path.stem: path for path in MODELS.rglob("*.sql")}
    assert len(models) >= 100
    unexpected = {}
    for name, path in sorted(models.items()):
        extra = constructs(_own_sql(path), POSTGRES_ONLY) - STILL_TO_CONVERT.get(name, set())
        if extra:
            unexpected[name] = sorted(extra)
    assert unexpected == {}, (
        "PostgreSQL-only SQL in a model: use dbt's cross-database macros or"
        " dbt_project/macros/cross_db (docs/spark.md, Portable SQL)"
    )


def test_docs_conversion_table_is_the_list_still_to_convert() -> None:
    text = (PROJECT_ROOT / "docs" / "spark.md").read_text(encoding="utf-8")
    section = text.split("### Conversion", 1)[1].split("\n## ", 1)[0]
    rows = re.findall(r"^\| `(\w+)` \| (.+) \|$", section, re.M)
    assert {model: set(names.split(", ")) for model, names in rows} == dict(STILL_TO_CONVERT)
