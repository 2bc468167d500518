"""A plain sentence, in zh or en, for the rule behind each statement line, made from the plan's
own parameters: a rep who reads "8% on the part of the month's revenue between 100% and 150% of
target" can check the line without knowing the plan file's rule codes.

The sentences restate the rules of docs/incentives.md ("How lines are computed"); the figures in
them (rates, band edges, thresholds, the cap and the draw) are the plan version's and the line's.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

Lang = str  # "en" or "zh"


@dataclass(frozen=True)
class PlanTerms:
    """The parameters of one plan version (and the rep-period) that the sentences quote."""

    tier_mode: str | None = None
    band_starts: tuple[Decimal, ...] = ()  # from_attainment of bands 1, 2, ...
    accelerator_above: Decimal | None = None
    accelerator_multiplier: Decimal | None = None
    decelerator_below: Decimal | None = None
    decelerator_multiplier: Decimal | None = None
    cap_limit_amount: Decimal | None = None
    draw_guarantee_amount: Decimal | None = None
    conversion_bonus_amount: Decimal | None = None
    spifs: dict[str, tuple[str, Decimal]] = field(default_factory=dict)  # id: (line, amount)


@dataclass(frozen=True)
class RuleLine:
    """What a sentence needs of a commission line."""

    rule: str
    rate: Decimal
    basis_amount: Decimal
    adjusts_period_start: dt.date | None = None


def percent(ratio: Decimal) -> str:
    """0.080000 -> 8%, 0.0125 -> 1.25%, 1.5 -> 150%: exact, no trailing zeros."""
    text = format((ratio * 100).normalize(), "f")
    return f"{text}%"


def money(amount: Decimal | None) -> str:
    """1234.5 -> 1,234.50 (exact: Decimal formatting never goes through float)."""
    return "?" if amount is None else f"{amount:,.2f}"


def _number(value: Decimal | None) -> str:
    return "?" if value is None else format(value.normalize(), "f")


RULE_NAMES = {
    "base_rate": ("base rate", "基础提成"),
    "accelerator": ("accelerator", "加速提成"),
    "decelerator": ("decelerator", "减速调整"),
    "cap": ("cap", "封顶"),
    "manager_override": ("manager override", "管理提成"),
    "conversion_bonus": ("conversion bonus", "转化奖金"),
    "draw": ("draw", "预支"),
    "draw_recovery": ("draw recovery", "预支扣回"),
    "negative_carried_forward": ("negative month carried forward", "负额结转"),
    "negative_recovery": ("negative month recovery", "负额扣回"),
    "negative_write_off": ("negative month written off", "负额核销"),
}


def rule_name(rule: str, lang: Lang) -> str:
    """A short name for a rule code, e.g. `tier_band_2` -> "tier band 2" / "第 2 档阶梯提成"."""
    zh = lang == "zh"
    kind, _, detail = rule.partition(":")
    if kind == "spif":
        return f"专项奖励 {detail}" if zh else f"SPIF {detail}"
    if kind in ("clawback", "adjustment"):
        inner = rule_name(detail, lang)
        if kind == "clawback":
            return f"{inner}追回" if zh else f"{inner} clawback"
        return f"{inner}更正" if zh else f"{inner} correction"
    if rule.startswith("tier_band_"):
        number = rule.removeprefix("tier_band_")
        return f"第 {number} 档阶梯提成" if zh else f"tier band {number}"
    en, zh_name = RULE_NAMES.get(rule, (rule, rule))
    return zh_name if zh else en


def _band_sentence(rule: str, rate: Decimal, terms: PlanTerms, lang: Lang) -> str:
    zh = lang == "zh"
    number = int(rule.removeprefix("tier_band_"))
    starts = terms.band_starts
    start = starts[number - 1] if 0 < number <= len(starts) else None
    end = starts[number] if number < len(starts) else None
    low, high, r = _pct(start), _pct(end), percent(rate)
    if terms.tier_mode == "retroactive":
        if zh:
            return f"当月收入达到目标 {low}，全部当月收入按该档 {r} 计提"
        return (
            f"{r} on all of the month's revenue: the rate of the band from {low} of target,"
            " which the month reached"
        )
    if end is None:
        if zh:
            return f"超出目标 {low} 部分的当月收入按 {r} 计提"
        return f"{r} on the part of the month's revenue above {low} of target"
    if zh:
        prefix = "目标" if start == 0 else "超出目标"
        return f"{prefix} {low}–{high} 部分的当月收入按 {r} 计提"
    return f"{r} on the part of the month's revenue between {low} and {high} of target"


def _pct(value: Decimal | None) -> str:
    return "?" if value is None else percent(value)


def sentence(line: RuleLine, terms: PlanTerms, lang: Lang) -> str:
    """The line's rule in one plain sentence (a generic one for a rule this module does not
    know, so a new rule never breaks a statement)."""
    zh = lang == "zh"
    rule, rate = line.rule, line.rate
    kind, _, detail = rule.partition(":")
    r = percent(rate)
    if kind == "clawback":
        inner = sentence(RuleLine(detail, -rate, line.basis_amount), terms, lang)
        if zh:
            return f"退款或取消：追回已退款部分按原规则计提的提成（{inner}）"
        return f"Refund or cancellation: reverses, on the refunded part, what was paid as: {inner}"
    if kind == "held":
        inner = sentence(RuleLine(detail, -rate, line.basis_amount), terms, lang)
        if zh:
            return f"财务暂扣：以下提成暂不发放，解除后补发（{inner}）"
        return f"Held by finance: not paid until the hold is released ({inner})"
    if kind == "released":
        held = f"{line.adjusts_period_start:%Y-%m}" if line.adjusts_period_start else "?"
        inner = sentence(RuleLine(detail, rate, line.basis_amount), terms, lang)
        if zh:
            return f"暂扣解除：补发 {held} 暂扣的提成（{inner}）"
        return f"Hold released: pays what was held in {held} ({inner})"
    if rule == "adjustment:dispute":
        if zh:
            return "申诉已被财务接受：按接受的金额调整"
        return "Dispute accepted by finance: the amount it accepted"
    if kind == "adjustment":
        corrected = f"{line.adjusts_period_start:%Y-%m}" if line.adjusts_period_start else "?"
        name = rule_name(detail, lang)
        if zh:
            return f"更正已结月份 {corrected} 的{name}：补足差额"
        return f"Correction to closed {corrected}: the difference owed on its {name}"
    if kind == "spif":
        product_line, amount = terms.spifs.get(detail, ("?", None))
        each = money(amount)
        if zh:
            return f"专项奖励 {detail}：{product_line} 每个订单行 {each}，按您的分成比例 {r}"
        return f"SPIF {detail}: {each} per {product_line} order line, x your credit share {r}"
    if rule.startswith("tier_band_"):
        return _band_sentence(rule, rate, terms, lang)
    above, below = _pct(terms.accelerator_above), _pct(terms.decelerator_below)
    faster = _number(terms.accelerator_multiplier)
    slower = _number(terms.decelerator_multiplier)
    en_zh = {
        "base_rate": (
            f"{r} of the line's credited revenue",
            f"该订单行计入收入按 {r} 计提",
        ),
        "accelerator": (
            f"An extra {r} on the part of the month's revenue above {above} of target"
            f" (base rate x {faster})",
            f"超出目标 {above} 部分的当月收入加速（基础提成 × {faster}），额外按 {r} 计提",
        ),
        "decelerator": (
            f"{percent(-rate)} less on the line: the month's revenue stayed below {below} of"
            f" target (base rate x {slower})",
            f"当月收入低于目标 {below}，减速（基础提成 × {slower}），少计 {percent(-rate)}",
        ),
        "cap": (
            f"Commission above the month's cap of {money(terms.cap_limit_amount)} is withheld",
            f"超出当月封顶 {money(terms.cap_limit_amount)} 的提成不予发放",
        ),
        "manager_override": (
            f"{r} override on your team's credited revenue on the line",
            f"团队该订单行计入收入按 {r} 计提管理提成",
        ),
        "conversion_bonus": (
            f"Bonus of {money(terms.conversion_bonus_amount)}: your win rate beat your team's"
            " average this month",
            f"本月成交率高于团队平均，奖金 {money(terms.conversion_bonus_amount)}",
        ),
        "draw": (
            f"Draw: tops the month up to the guarantee of {money(terms.draw_guarantee_amount)};"
            " repaid from later earnings above it",
            f"预支：补足当月保底 {money(terms.draw_guarantee_amount)}，之后从超出保底的收入中扣回",
        ),
        "draw_recovery": (
            "Repays earlier draws from this month's earnings above the guarantee",
            "从本月超出保底的收入中扣回此前的预支",
        ),
        "negative_carried_forward": (
            "A negative month brought to zero; the balance is recovered from later earnings",
            "当月合计为负，补至零；余额从之后的收入中扣回",
        ),
        "negative_recovery": (
            "Recovers an earlier negative month from this month's earnings",
            "从本月收入中扣回此前月份的负额",
        ),
        "negative_write_off": (
            "A negative month brought to zero and written off",
            "当月合计为负，补至零并核销",
        ),
    }
    if rule in en_zh:
        return en_zh[rule][1 if zh else 0]
    basis = money(line.basis_amount)
    return f"规则 {rule}：{basis} × {r}" if zh else f"Rule {rule}: {basis} x {r}"
