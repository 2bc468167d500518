"""Jiandaoyun (简道云) open API v5: endpoints, limits, and the CRM forms we read with the fields
our models need from each.

Jiandaoyun is a form builder: a CRM there is an app whose forms (商机, 客户, 跟进记录...) the
company designed itself, so nothing about a form is standard. Each form we read is named in
configuration (`app_id`, `entry_id`) with a field map from our field names to its widgets; the
defaults below are the widget titles of a typical CRM app (and of the demo's), so a form built
like it needs no field map at all.
"""

from __future__ import annotations

DEFAULT_BASE_URL = "https://api.jiandaoyun.com"
DATA_LIST_PATH = "/api/v5/app/entry/data/list"
WIDGET_LIST_PATH = "/api/v5/app/entry/widget/list"
DEPARTMENT_LIST_PATH = "/api/v5/corp/department/list"
DEPARTMENT_USERS_PATH = "/api/v5/corp/department/user/list"
PAGE_LIMIT = 100  # the data list's most records per request
ROOT_DEPARTMENT = 1  # the company's root department (its dept_no)
# HTTP 400 with this code is the per-interface request rate limit ("超出请求频率限制"); HTTP 429
# is the concurrency limit. Both are retried with backoff, as are 5xx (502: gateway).
RATE_LIMIT_CODE = 8303
ID_FIELD = "_id"
CURSOR_FIELD = "updateTime"
CREATED_FIELD = "createTime"
EPOCH = "1970-01-01T00:00:00.000Z"

# How a widget's value is read: text and select options as text, number as an exact decimal,
# datetime as a UTC timestamp, member (成员单选) as its `username`, linked data (关联数据) as the
# `_id` of the record it links.
KINDS = ("text", "select", "number", "datetime", "member", "linked")

# form -> (raw table, {our field: (kind, default widget title, required)})
FORMS: dict[str, tuple[str, dict[str, tuple[str, str, bool]]]] = {
    "deals": (
        "deals",
        {
            "deal_name": ("text", "商机名称", False),
            "stage": ("select", "销售阶段", True),
            "amount": ("number", "商机金额", True),
            "currency": ("select", "币种", False),
            "owner": ("member", "负责人", True),
            "customer": ("linked", "客户", False),
            "close_date": ("datetime", "结单日期", False),
            "probability": ("number", "赢率", False),
            "forecast_category": ("select", "预测类别", False),
            "lead_source": ("select", "商机来源", False),
            "loss_reason": ("select", "输单原因", False),
            "product_line": ("select", "产品线", False),
        },
    ),
    "customers": (
        "customers",
        {
            "customer_name": ("text", "客户名称", True),
            "industry": ("select", "所属行业", False),
            "customer_id": ("text", "客户编号", False),
            "owner": ("member", "负责人", False),
        },
    ),
    "contacts": (
        "contacts",
        {
            "customer": ("linked", "所属客户", False),
            "email": ("text", "邮箱", False),
            "lead_source": ("select", "来源", False),
            "owner": ("member", "负责人", False),
        },
    ),
    "followups": (
        "followups",
        {
            "kind": ("select", "跟进方式", True),
            "owner": ("member", "跟进人", True),
            "occurred_at": ("datetime", "跟进时间", True),
            "deal": ("linked", "关联商机", False),
            "customer": ("linked", "客户", False),
        },
    ),
    "stage_changes": (
        "deal_stage_changes",
        {
            "deal": ("linked", "商机", True),
            "stage": ("select", "阶段", True),
            "changed_at": ("datetime", "变更时间", True),
        },
    ),
    "members": (
        "member_profiles",
        {
            "member": ("member", "成员", True),
            "email": ("text", "邮箱", False),
            "first_name": ("text", "名", False),
            "last_name": ("text", "姓", False),
        },
    ),
}
# forms a CRM cannot do without; the others load empty tables when not configured
REQUIRED_FORMS = {"deals"}
# what each form is called in a typical CRM app, for messages
FORM_TITLES = {
    "deals": "商机",
    "customers": "客户",
    "contacts": "联系人",
    "followups": "跟进记录",
    "stage_changes": "商机阶段变更",
    "members": "销售人员",
}

# The stage field is a select widget: its options carry no order, probability or won/lost flag
# (Jiandaoyun has no pipeline metadata), so `sources.jiandaoyun.stages` lists them in funnel
# order. These defaults are the stages of a typical CRM app.
DEFAULT_STAGES: list[dict[str, object]] = [
    {"value": "初步接洽", "probability": "0.1"},
    {"value": "需求确认", "probability": "0.3"},
    {"value": "方案报价", "probability": "0.5"},
    {"value": "商务谈判", "probability": "0.7"},
    {"value": "赢单", "probability": "1", "closed": True, "won": True},
    {"value": "输单", "probability": "0", "closed": True},
]
# follow-up ways (跟进方式 options) -> our activity types; `sources.jiandaoyun.activity_types`
# adds to or overrides them
DEFAULT_ACTIVITY_TYPES = {
    "电话": "call",
    "拜访": "visit",
    "会议": "meeting",
    "培训": "training",
    "备注": "note",
    "任务": "task",
}
ACTIVITY_TYPES = ("call", "visit", "meeting", "training", "note", "task")

# column types per form table, declared so every column staging reads exists before a record
# fills it (an optional field not on the form stays an empty column)
_KIND_TYPES = {
    "text": "text",
    "select": "text",
    "number": "decimal",
    "datetime": "timestamp",
    "member": "text",
    "linked": "text",
}
_SYSTEM_COLUMNS = {ID_FIELD: "text", CREATED_FIELD: "timestamp", CURSOR_FIELD: "timestamp"}
_DERIVED_COLUMNS = {
    "deals": {"stage_id": "text"},
    "stage_changes": {"stage_id": "text"},
    "followups": {"activity_type": "text"},
}
COLUMN_HINTS: dict[str, dict[str, str]] = {
    table: {
        **_SYSTEM_COLUMNS,
        **{name: _KIND_TYPES[kind] for name, (kind, _, _) in fields.items()},
        **_DERIVED_COLUMNS.get(form, {}),
    }
    for form, (table, fields) in FORMS.items()
}
STAGE_COLUMNS = {
    "stage_id": "text",
    "stage_value": "text",
    "display_order": "bigint",
    "win_probability": "decimal",
    "is_closed": "bool",
    "is_won": "bool",
    "forecast_category": "text",
}
MEMBER_COLUMNS = {"username": "text", "name": "text", "dept_no": "text", "status": "bigint"}
DEPARTMENT_COLUMNS = {"dept_no": "text", "name": "text", "parent_no": "text", "status": "bigint"}
DELETION_COLUMNS = {
    "form": "text",
    "data_id": "text",
    "is_deleted": "bool",
    "detected_at": "timestamp",
}
