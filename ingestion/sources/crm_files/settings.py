"""The CRM model that export files are mapped onto (the same entities as `raw_crm`)."""

MAPPING_FILE = "mapping.yml"
# entity -> (fields a file must map, fields it may map)
FIELDS: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "deals": (
        ("deal_id", "owner", "stage", "created_at"),
        (
            "deal_name",
            "company_id",
            "amount",
            "currency",
            "lead_source",
            "loss_reason",
            "closed_at",
            "updated_at",
        ),
    ),
    "activities": (
        ("activity_id", "activity_type", "owner", "occurred_at"),
        ("deal_id", "company_id", "updated_at"),
    ),
    "companies": (("company_id",), ("company_name", "customer_id", "industry", "created_at")),
}
ACTIVITY_TYPES = ("call", "meeting", "visit", "training", "note", "task", "email")
CLOSED_STAGES = ("closedwon", "closedlost")

# every column of the loaded tables, declared so they exist even when a file leaves them empty
_SOURCE = {"source_file": "text", "source_row": "bigint"}
_REJECTED = {
    "source_file": "text",
    "source_row": "bigint",
    "field": "text",
    "reason": "text",
    "raw_record": "text",
    "rejected_at": "timestamp",
}
COLUMN_HINTS: dict[str, dict[str, str]] = {
    "owners": {"owner_id": "text", "full_name": "text", "email": "text"},
    "deals": {
        "deal_id": "text",
        "deal_name": "text",
        "pipeline_id": "text",
        "stage_id": "text",
        "owner_id": "text",
        "company_id": "text",
        "amount": "decimal",
        "amount_currency": "text",
        "lead_source": "text",
        "loss_reason": "text",
        "created_at": "timestamp",
        "closed_at": "timestamp",
        "updated_at": "timestamp",
        **_SOURCE,
    },
    "deal_stage_changes": {
        "deal_id": "text",
        "stage_id": "text",
        "changed_at": "timestamp",
        "source_file": "text",
    },
    "activities": {
        "activity_id": "text",
        "activity_type": "text",
        "owner_id": "text",
        "deal_id": "text",
        "company_id": "text",
        "occurred_at": "timestamp",
        "updated_at": "timestamp",
        **_SOURCE,
    },
    "companies": {
        "company_id": "text",
        "company_name": "text",
        "customer_id": "text",
        "industry": "text",
        "created_at": "timestamp",
        **_SOURCE,
    },
    "deals_rejected": _REJECTED,
    "activities_rejected": _REJECTED,
    "companies_rejected": _REJECTED,
}
