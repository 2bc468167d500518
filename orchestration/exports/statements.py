"""A rep's statement for one month: who, which plan, every line with its source and the
sentence of its rule, totals by component, what is paid in which currency, and the rep's
disputes. `statement_html` and `statement_pdf` lay it out; the CSV keeps the lines' own columns.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import psycopg2

from orchestration.exports.rule_sentences import PlanTerms, RuleLine, sentence
from orchestration.exports.warehouse import fetch, month_start, rep_names

# A statement shows every column of a frozen line (the mart's contract) but these: the line's key
# and the rep, which the statement is for.
NOT_ON_STATEMENT = ("commission_line_id", "rep_id")
PAYOUT = """
    select payouts.status, payouts.plan_id, payouts.plan_version, payouts.payout_currency,
        payouts.gross_commission_amount as commission, payouts.bonus_amount as bonus,
        payouts.clawback_amount as clawback, payouts.draw_amount as draw,
        payouts.recovery_amount as recovery, payouts.adjustment_amount as adjustment,
        payouts.held_amount as held, payouts.released_amount as released,
        payouts.net_payout_amount as net, payouts.points,
        payments.payment_currency, payments.payment_fx_rate, payments.payment_fx_rate_date,
        payments.payment_amount
    from marts.fct_payouts as payouts
    left join marts.fct_payout_payments as payments on payouts.payout_id = payments.payout_id
    where payouts.rep_id = %s and payouts.period_start = %s
"""
PLAN_VERSIONS = """
    select plan_id, plan_version, plan_name, tier_mode, accelerator_above_attainment,
        accelerator_multiplier, decelerator_below_attainment, decelerator_multiplier,
        conversion_bonus_amount
    from intermediate.int_plan_versions_dated
    where plan_id = any(%s)
"""
TIER_BANDS = """
    select plan_id, plan_version, from_attainment
    from staging.stg_plans__plan_tier_bands
    where plan_id = any(%s)
    order by plan_id, plan_version, band_number
"""
SPIFS = """
    select plan_id, plan_version, spif_id, product_line, amount_per_order_line
    from staging.stg_plans__plan_spifs
    where plan_id = any(%s)
"""
REP_PERIOD = """
    select cap_limit_amount, draw_guarantee_amount
    from intermediate.int_rep_periods_planned
    where rep_id = %s and period_start = %s
"""
# The disputes helper's view (commission_ops); absent until that schema exists.
DISPUTES = """
    select dispute_id, commission_line_id, deal_id, reason, status, resolution_reason,
        resolved_at, adjustment_amount
    from commission_ops.dispute_status
    where rep_id = %s and period_start = %s
    order by raised_at, dispute_id
"""


@dataclass
class Statement:
    rep_id: str
    rep_name: str
    period: str
    payout: dict[str, Any]
    plan_name: str | None
    lines: list[dict[str, Any]]
    disputes: list[dict[str, Any]] = field(default_factory=list)

    @property
    def currency(self) -> str:
        return self.payout.get("payout_currency") or (
            self.lines[0]["amount_currency"] if self.lines else ""
        )


def line_columns(url: str) -> list[str]:
    """The statement CSV's columns: the frozen store's, less the line key and the rep."""
    from orchestration.defs.incentives.period_close import frozen_columns

    with psycopg2.connect(url) as conn, conn.cursor() as cur:
        return [c for c in frozen_columns(cur, "commission_lines") if c not in NOT_ON_STATEMENT]


def statement_lines(url: str, rep_id: str, period_start: dt.date) -> list[dict[str, Any]]:
    columns = line_columns(url)
    return fetch(
        url,
        f"select {', '.join(columns)} from marts.fct_commission_lines"
        " where rep_id = %s and period_start = %s"
        " order by source_date, source_type, source_id, rule",
        (rep_id, period_start),
    )


def plan_terms(url: str, rep_id: str, period_start: dt.date, lines: list[dict]) -> dict:
    """PlanTerms by (plan_id, plan_version) of the lines, and the plan names by plan_id."""
    plan_ids = sorted({line["plan_id"] for line in lines if line["plan_id"]})
    if not plan_ids:
        return {}
    versions = fetch(url, PLAN_VERSIONS, (plan_ids,))
    bands: dict[tuple, list[Decimal]] = {}
    for band in fetch(url, TIER_BANDS, (plan_ids,)):
        bands.setdefault((band["plan_id"], band["plan_version"]), []).append(
            band["from_attainment"]
        )
    spifs: dict[tuple, dict] = {}
    for spif in fetch(url, SPIFS, (plan_ids,)):
        spifs.setdefault((spif["plan_id"], spif["plan_version"]), {})[spif["spif_id"]] = (
            spif["product_line"],
            spif["amount_per_order_line"],
        )
    period = (fetch(url, REP_PERIOD, (rep_id, period_start)) or [{}])[0]
    terms: dict[Any, Any] = {"names": {v["plan_id"]: v["plan_name"] for v in versions}}
    for v in versions:
        key = (v["plan_id"], v["plan_version"])
        terms[key] = PlanTerms(
            tier_mode=v["tier_mode"],
            band_starts=tuple(bands.get(key, ())),
            accelerator_above=v["accelerator_above_attainment"],
            accelerator_multiplier=v["accelerator_multiplier"],
            decelerator_below=v["decelerator_below_attainment"],
            decelerator_multiplier=v["decelerator_multiplier"],
            cap_limit_amount=period.get("cap_limit_amount"),
            draw_guarantee_amount=period.get("draw_guarantee_amount"),
            conversion_bonus_amount=v["conversion_bonus_amount"],
            spifs=spifs.get(key, {}),
        )
    return terms


def rep_disputes(url: str, rep_id: str, period_start: dt.date) -> list[dict[str, Any]]:
    """The rep's disputes of the month, when the disputes view exists (commission_ops)."""
    exists = fetch(url, "select to_regclass('commission_ops.dispute_status') is not null as found")
    return fetch(url, DISPUTES, (rep_id, period_start)) if exists[0]["found"] else []


def with_sentences(lines: list[dict], terms: dict, lang: str) -> list[dict]:
    """Each line with `sentence`: its rule in words, from its own plan version's terms."""
    return [
        {
            **line,
            "sentence": sentence(
                RuleLine(
                    line["rule"],
                    line["rate"],
                    line["basis_amount"],
                    line.get("adjusts_period_start"),
                ),
                terms.get((line["plan_id"], line["plan_version"]), PlanTerms()),
                lang,
            ),
        }
        for line in lines
    ]


def load_statement(url: str, rep_id: str, period: str, lang: str) -> Statement:
    """Everything on the rep's statement for `period`; ValueError when there is nothing."""
    period_start = month_start(period)
    lines = statement_lines(url, rep_id, period_start)
    found = fetch(url, PAYOUT, (rep_id, period_start))
    if not lines and not found:
        raise ValueError(f"rep {rep_id} has no commission lines or payout in {period}")
    payout = found[0] if found else {}
    terms = plan_terms(url, rep_id, period_start, lines)
    plan_id = payout.get("plan_id") or next((li["plan_id"] for li in lines if li["plan_id"]), None)
    return Statement(
        rep_id=rep_id,
        rep_name=rep_names(url, [rep_id])[rep_id],
        period=period,
        payout=payout,
        plan_name=terms.get("names", {}).get(plan_id),
        lines=with_sentences(lines, terms, lang),
        disputes=rep_disputes(url, rep_id, period_start),
    )
