"""The CRM model that export files are mapped onto (the same entities as `raw_crm`)."""

from ingestion.sources.tabular_files import RECONCILIATION_COLUMNS

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
            "pipeline",
            "product_line",
        ),
    ),
    "activities": (
        ("activity_id", "activity_type", "owner", "occurred_at"),
        ("deal_id", "company_id", "updated_at"),
    ),
    "companies": (("company_id",), ("company_name", "customer_id", "industry", "created_at")),
}
# each entity's key: one record per key per table, whatever number of files mention it
KEYS = {"deals": "deal_id", "activities": "activity_id", "companies": "company_id"}
ACTIVITY_TYPES = ("call", "meeting", "visit", "training", "note", "task", "email")
CLOSED_STAGES = ("closedwon", "closedlost")

# every column of the loaded tables, declared so they exist even when a file leaves them empty
# `merged_from`: the rows of files declaring `updates:` merged into this one ("file row n, ...")
_SOURCE = {"source_file": "text", "source_row": "bigint", "merged_from": "text"}
_REJECTED = {
    "source_file": "text",
    "source_row": "bigint",
    "field": "text",
    "reason": "text",
    "raw_record": "text",
    "rejected_at": "timestamp",
    "content_hash": "text",
}
COLUMN_HINTS: dict[str, dict[str, str]] = {
    "owners": {"owner_id": "text", "full_name": "text", "email": "text", "created_at": "timestamp"},
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
        "product_line": "text",
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
    "merged_rows": {
        "source_file": "text",
        "source_row": "bigint",
        "entity": "text",
        "merged_into_key": "text",
        "merged_into_file": "text",
        "merged_into_row": "bigint",
    },
    "pipelines": {"pipeline_id": "text", "pipeline_label": "text", "display_order": "bigint"},
    "pipeline_stages": {
        "pipeline_id": "text",
        "stage_id": "text",
        "label_en": "text",
        "label_zh": "text",
        "display_order": "bigint",
        "probability": "decimal",
        "is_won": "bool",
        "is_lost": "bool",
    },
    "file_reconciliation": RECONCILIATION_COLUMNS,
    "deleted_rows": {
        "entity": "text",
        "key": "text",
        "source_file": "text",
        "is_deleted": "bool",
        "changed_at": "timestamp",
    },
}
