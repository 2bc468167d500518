"""The statement as one self-contained HTML page (no outside fonts, scripts or images)."""

from __future__ import annotations

import html
from pathlib import Path

from orchestration.exports.statement_layout import Table, sections, title
from orchestration.exports.statements import Statement

STYLE = (
    "body{font-family:'Noto Sans CJK SC','WenQuanYi Micro Hei',sans-serif;max-width:1100px;"
    "margin:2em auto;color:#222}table{border-collapse:collapse;margin-bottom:1.5em}"
    "td,th{padding:3px 10px;border-bottom:1px solid #ddd;text-align:left;vertical-align:top}"
    "td.n{text-align:right;white-space:nowrap}"
)


def _table(table: Table) -> str:
    parts = [f"<h2>{html.escape(table.title)}</h2>"] if table.title else []
    if table.note:
        parts.append(f"<p>{html.escape(table.note)}</p>")
    if not table.rows:
        return "".join(parts)
    parts.append("<table>")
    if table.headers:
        cells = "".join(f"<th>{html.escape(h)}</th>" for h in table.headers)
        parts.append(f"<tr>{cells}</tr>")
    for row in table.rows:
        cells = "".join(
            f"<td class='n'>{html.escape(cell)}</td>"
            if index in table.numeric
            else f"<td>{html.escape(cell)}</td>"
            for index, cell in enumerate(row)
        )
        parts.append(f"<tr>{cells}</tr>")
    parts.append("</table>")
    return "\n".join(parts)


def write_statement_html(path: Path, statement: Statement, lang: str) -> None:
    heading = html.escape(title(statement, lang))
    body = "\n".join(_table(table) for table in sections(statement, lang))
    path.write_text(
        f"<!doctype html>\n<html lang='{lang}'><head><meta charset='utf-8'>"
        f"<title>{heading}</title><style>{STYLE}</style></head><body>"
        f"<h1>{heading}</h1>\n{body}\n</body></html>\n",
        encoding="utf-8",
    )
