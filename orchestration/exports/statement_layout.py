"""The statement as tables of text, in the reader's language: the one layout the HTML and the PDF
both draw, so the two never disagree. Amounts print exactly as stored (1,234.50)."""

from __future__ import annotations

from dataclasses import dataclass

from orchestration.exports.labels import COMPONENTS, label
from orchestration.exports.rule_sentences import money, percent
from orchestration.exports.statements import Statement


@dataclass(frozen=True)
class Table:
    title: str
    headers: tuple[str, ...]
    rows: list[tuple[str, ...]]
    note: str = ""
    numeric: tuple[int, ...] = ()  # the columns holding amounts, aligned right


def title(statement: Statement, lang: str) -> str:
    return f"{label('title', lang)} · {statement.rep_name} · {statement.period}"


def header(statement: Statement, lang: str) -> Table:
    payout = statement.payout
    plan = label("no_plan", lang)
    if payout.get("plan_id"):
        name = statement.plan_name or payout["plan_id"]
        plan = f"{name} ({payout['plan_id']}), {label('version', lang)} {payout['plan_version']}"
    rows = [
        (label("rep", lang), f"{statement.rep_name} ({statement.rep_id})"),
        (label("period", lang), statement.period),
        (label("plan", lang), plan),
    ]
    if payout.get("status"):
        rows.append((label("status", lang), label(payout["status"], lang)))
    return Table("", (), rows)


def totals(statement: Statement, lang: str) -> Table:
    payout, currency = statement.payout, statement.currency
    rows = [
        (label(component, lang), f"{money(payout[component])} {currency}")
        for component in COMPONENTS
        if payout.get(component)
    ]
    if payout:
        rows.append((label("net", lang), f"{money(payout['net'])} {currency}"))
    if payout.get("payment_currency") and payout["payment_currency"] != currency:
        rows.append(
            (
                label("paid_in", lang),
                f"{money(payout['payment_amount'])} {payout['payment_currency']}"
                f" ({label('paid_at', lang)} {payout['payment_fx_rate'].normalize():f}"
                f" {currency}/{payout['payment_currency']},"
                f" {payout['payment_fx_rate_date']:%Y-%m-%d})",
            )
        )
    if payout.get("points"):
        rows.append((label("points", lang), str(payout["points"])))
    return Table(label("totals", lang), (), rows, numeric=(1,))


def lines(statement: Statement, lang: str) -> Table:
    headers = tuple(
        label(key, lang) for key in ("date", "source", "rule", "basis", "rate", "amount")
    )
    rows = [
        (
            f"{line['source_date']:%Y-%m-%d}" if line["source_date"] else "",
            f"{label(line['source_type'], lang)} {line['source_id']}",
            line["sentence"],
            money(line["basis_amount"]),
            percent(line["rate"]),
            money(line["amount"]),
        )
        for line in statement.lines
    ]
    return Table(label("lines", lang), headers, rows, numeric=(3, 4, 5))


def disputes(statement: Statement, lang: str) -> Table:
    headers = tuple(
        label(key, lang) for key in ("dispute_line", "reason", "status", "resolution", "amount")
    )
    rows = [
        (
            dispute["deal_id"] or dispute["commission_line_id"] or "",
            dispute["reason"] or "",
            dispute["status"] or "",
            dispute["resolution_reason"] or "",
            money(dispute["adjustment_amount"]) if dispute["adjustment_amount"] is not None else "",
        )
        for dispute in statement.disputes
    ]
    note = "" if rows else label("no_disputes", lang)
    return Table(label("disputes", lang), headers, rows, note, numeric=(4,))


def sections(statement: Statement, lang: str) -> list[Table]:
    """The statement top to bottom: who and which plan, totals, lines, disputes."""
    return [
        header(statement, lang),
        totals(statement, lang),
        lines(statement, lang),
        disputes(statement, lang),
    ]
