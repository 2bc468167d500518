"""The statement as a PDF, drawn with fpdf2 and a CJK TrueType font already on the system.

fpdf2 is pure Python (it installs from PyPI with no native libraries or downloads) and embeds a
subset of the font, so the PDF shows Chinese names and sentences on any reader. The font is
Debian's: `fonts-wqy-microhei` (TrueType, which fpdf2 embeds as is; .ci/run installs it) or, as
a fallback, Noto Sans CJK from `fonts-noto-cjk`. No font found stops the export naming the
package to install.
"""

from __future__ import annotations

import os
from pathlib import Path

from fpdf import FPDF
from fpdf.fonts import FontFace

from orchestration.exports.statement_layout import Table, sections, title
from orchestration.exports.statements import Statement

# (file, index in a collection): the first that exists is used; SPW_CJK_FONT overrides.
CJK_FONTS = (
    ("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc", 0),
    ("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc", 2),
    ("/usr/share/fonts/truetype/noto/NotoSansCJK-Regular.ttc", 2),
)
FONT = "cjk"


def cjk_font() -> tuple[str, int]:
    """The font file to embed; FileNotFoundError naming the Debian package otherwise."""
    override = os.environ.get("SPW_CJK_FONT")
    candidates = ((override, 0),) if override else CJK_FONTS
    for path, index in candidates:
        if Path(path).is_file():
            return path, index
    raise FileNotFoundError(
        "no CJK font for the PDF statement: install one with"
        " `apt-get install fonts-wqy-microhei` (or set SPW_CJK_FONT to a .ttf/.ttc file)"
    )


def _draw(pdf: FPDF, table: Table) -> None:
    if table.title:
        pdf.set_font(FONT, size=12)
        pdf.cell(0, 8, table.title, new_x="LMARGIN", new_y="NEXT")
        pdf.set_font(FONT, size=8)
    if table.note:
        pdf.multi_cell(0, 5, table.note, new_x="LMARGIN", new_y="NEXT")
    if table.rows:
        widths = (22, 34, 80, 22, 14, 22) if len(table.headers) == 6 else None
        columns = len(table.headers or table.rows[0])
        align = tuple("RIGHT" if i in table.numeric else "LEFT" for i in range(columns))
        with pdf.table(
            col_widths=widths,
            text_align=align,
            first_row_as_headings=bool(table.headers),
            headings_style=FontFace(emphasis=None, fill_color=(235, 235, 235)),
            line_height=5,
        ) as grid:
            for row in ([table.headers] if table.headers else []) + table.rows:
                grid.row(row)
    pdf.ln(4)


def write_statement_pdf(path: Path, statement: Statement, lang: str) -> None:
    font, index = cjk_font()
    pdf = FPDF(orientation="portrait", format="A4")
    pdf.set_title(title(statement, lang))
    pdf.add_font(FONT, fname=font, collection_font_number=index)
    pdf.set_auto_page_break(auto=True, margin=12)
    pdf.add_page()
    pdf.set_font(FONT, size=14)
    pdf.multi_cell(0, 8, title(statement, lang), new_x="LMARGIN", new_y="NEXT")
    pdf.set_font(FONT, size=8)
    for table in sections(statement, lang):
        _draw(pdf, table)
    pdf.output(str(path))
