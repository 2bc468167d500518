"""The statement's words in English and Chinese (the users' two languages, DOMAIN.md)."""

from __future__ import annotations

LANGUAGES = ("en", "zh")

LABELS: dict[str, dict[str, str]] = {
    "title": {"en": "Commission statement", "zh": "提成结算单"},
    "rep": {"en": "Rep", "zh": "销售代表"},
    "period": {"en": "Period", "zh": "期间"},
    "plan": {"en": "Plan", "zh": "提成方案"},
    "version": {"en": "version", "zh": "版本"},
    "no_plan": {"en": "no plan", "zh": "无方案"},
    "status": {"en": "Status", "zh": "状态"},
    "closed": {"en": "closed (final)", "zh": "已结账（最终）"},
    "open": {"en": "open (may still change)", "zh": "未结账（可能变动）"},
    "totals": {"en": "Totals by component", "zh": "按组成部分合计"},
    "commission": {"en": "Commission", "zh": "提成"},
    "bonus": {"en": "Bonuses and SPIFs", "zh": "奖金与专项奖励"},
    "clawback": {"en": "Clawbacks", "zh": "追回"},
    "draw": {"en": "Draws advanced", "zh": "预支"},
    "recovery": {"en": "Recoveries", "zh": "扣回"},
    "adjustment": {"en": "Adjustments", "zh": "调整"},
    "held": {"en": "Held by finance", "zh": "财务暂扣"},
    "released": {"en": "Released holds", "zh": "暂扣解除补发"},
    "net": {"en": "Net payout", "zh": "应发合计"},
    "paid_in": {"en": "Paid in", "zh": "发放币种"},
    "paid_at": {"en": "at", "zh": "汇率"},
    "lines": {"en": "Lines", "zh": "明细"},
    "date": {"en": "Date", "zh": "日期"},
    "source": {"en": "Source", "zh": "来源"},
    "rule": {"en": "Rule", "zh": "规则"},
    "basis": {"en": "Basis", "zh": "基数"},
    "rate": {"en": "Rate", "zh": "比例"},
    "amount": {"en": "Amount", "zh": "金额"},
    "disputes": {"en": "Your disputes", "zh": "您的申诉"},
    "no_disputes": {"en": "No disputes for this period.", "zh": "本期没有申诉。"},
    "dispute_line": {"en": "Line or deal", "zh": "明细或商机"},
    "reason": {"en": "Reason", "zh": "理由"},
    "resolution": {"en": "Resolution", "zh": "处理结果"},
    "order_line": {"en": "order line", "zh": "订单行"},
    "refund": {"en": "refund", "zh": "退款"},
    "rep_period": {"en": "month", "zh": "月度"},
    "activity_aggregate": {"en": "activity", "zh": "活动汇总"},
    "points": {"en": "Points (not money)", "zh": "积分（非现金）"},
}

COMPONENTS = (
    "commission",
    "bonus",
    "clawback",
    "draw",
    "recovery",
    "adjustment",
    "held",
    "released",
)


def label(key: str, lang: str) -> str:
    """The word for `key` in `lang`; the key itself when the catalogue lacks it."""
    return LABELS.get(key, {}).get(lang, key)
