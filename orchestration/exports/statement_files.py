"""Write a rep's statement file: HTML or PDF (zh or en) for the rep, CSV for a spreadsheet."""

from __future__ import annotations

import csv
from pathlib import Path

from orchestration.exports.labels import LANGUAGES
from orchestration.exports.statement_html import write_statement_html
from orchestration.exports.statement_pdf import write_statement_pdf
from orchestration.exports.statements import line_columns, load_statement, statement_lines
from orchestration.exports.warehouse import month_start

FORMATS = ("html", "pdf", "csv")


def _text(value: object) -> str:
    """Decimals print exactly as stored (never through float); nulls as empty cells."""
    return "" if value is None else str(value)


def export_statement(
    url: str, rep_id: str, period: str, fmt: str, out: Path, lang: str = "en"
) -> Path:
    """Write the statement file and return its path: `statement_<rep>_<YYYY-MM>[_<lang>].<fmt>`
    (the CSV holds the lines' own columns and codes, so it has no language)."""
    if fmt not in FORMATS or lang not in LANGUAGES:
        raise ValueError(f"statement: FORMAT is one of {FORMATS}, LANG one of {LANGUAGES}")
    if fmt == "csv":
        lines = statement_lines(url, rep_id, month_start(period))
        if not lines:
            raise ValueError(f"rep {rep_id} has no commission lines in {period}")
        out.mkdir(parents=True, exist_ok=True)
        path = out / f"statement_{rep_id}_{period}.csv"
        columns = line_columns(url)
        with path.open("w", newline="", encoding="utf-8") as handle:
            writer = csv.writer(handle)
            writer.writerow(columns)
            writer.writerows([_text(line[c]) for c in columns] for line in lines)
        return path
    statement = load_statement(url, rep_id, period, lang)
    out.mkdir(parents=True, exist_ok=True)
    path = out / f"statement_{rep_id}_{period}_{lang}.{fmt}"
    (write_statement_pdf if fmt == "pdf" else write_statement_html)(path, statement, lang)
    return path
