"""HubSpot CRM objects we load, their cursor properties, and API limits."""

DEFAULT_BASE_URL = "https://api.hubapi.com"
# object type -> the property holding its last modification time (contacts name it differently)
CURSOR_PROPERTIES: dict[str, str] = {
    "deals": "hs_lastmodifieddate",
    "companies": "hs_lastmodifieddate",
    "contacts": "lastmodifieddate",
    "calls": "hs_lastmodifieddate",
    "meetings": "hs_lastmodifieddate",
    "notes": "hs_lastmodifieddate",
    "tasks": "hs_lastmodifieddate",
}
# associations kept on the record as `<type>_id` (the first associated object)
ASSOCIATIONS: dict[str, list[str]] = {
    "deals": ["companies"],
    "contacts": ["companies"],
    "calls": ["deals", "companies"],
    "meetings": ["deals", "companies"],
    "notes": ["deals", "companies"],
    "tasks": ["deals", "companies"],
}
# properties holding timestamps: loaded as timestamps, not text
TIMESTAMP_PROPERTIES = {
    "createdate",
    "closedate",
    "hs_lastmodifieddate",
    "lastmodifieddate",
    "hs_timestamp",
    "hs_createdate",
}
# deal properties whose every version is loaded (`deal_property_history`): the forecast's
# as-of-day amount and close date, and the close-date pushes
HISTORY_PROPERTIES = ["amount", "closedate"]
SEARCH_PAGE_SIZE = 200  # HubSpot's maximum for search
SEARCH_RESULT_CAP = 10_000  # one search query never pages past this many results
LIST_PAGE_SIZE = 100
BATCH_SIZE = 50  # batch reads with property history take at most 50 ids
EPOCH = "1970-01-01T00:00:00Z"

# columns the staging models read, declared so they exist even before any record fills them;
# the primary key too: a type with no records at all (a portal that never logged a call) would
# otherwise leave `id` untyped, and dlt fails the whole load on a key column it cannot create
_COMMON = {
    "id": "text",
    "archived_at": "timestamp",
    "created_at": "timestamp",
    "updated_at": "timestamp",
    "is_deleted": "bool",
    "hubspot_owner_id": "text",
}
_ENGAGEMENT = {**_COMMON, "hs_timestamp": "timestamp", "deal_id": "text", "company_id": "text"}
COLUMN_HINTS: dict[str, dict[str, str]] = {
    "owners": {
        "id": "text",
        "email": "text",
        "first_name": "text",
        "last_name": "text",
        "archived": "bool",
        "primary_team_id": "text",
        "primary_team_name": "text",
        "created_at": "timestamp",
        # named as the API does: it is also the incremental cursor, whose hint dlt adds under
        # this name; declared as `updated_at` the two would collide when normalised
        "updatedAt": "timestamp",
    },
    "deal_stage_history": {
        "deal_id": "text",
        "stage_id": "text",
        "changed_at": "timestamp",
        "source_type": "text",
    },
    "deal_property_history": {
        "deal_id": "text",
        "property_name": "text",
        "value": "text",
        "changed_at": "timestamp",
        "source_type": "text",
    },
    "deals": {
        **_COMMON,
        "dealname": "text",
        "amount": "text",
        "deal_currency_code": "text",
        "pipeline": "text",
        "dealstage": "text",
        "closedate": "timestamp",
        "createdate": "timestamp",
        "hs_lastmodifieddate": "timestamp",
        "closed_lost_reason": "text",
        "lead_source": "text",
        "company_id": "text",
    },
    "companies": {
        **_COMMON,
        "name": "text",
        "industry": "text",
        "customer_id": "text",
        "createdate": "timestamp",
        "hs_lastmodifieddate": "timestamp",
    },
    "contacts": {
        **_COMMON,
        "email": "text",
        "hs_analytics_source": "text",
        "company_id": "text",
        "createdate": "timestamp",
        "lastmodifieddate": "timestamp",
    },
    "calls": {**_ENGAGEMENT, "hs_lastmodifieddate": "timestamp"},
    "meetings": {**_ENGAGEMENT, "hs_lastmodifieddate": "timestamp", "hs_activity_type": "text"},
    "notes": {**_ENGAGEMENT, "hs_lastmodifieddate": "timestamp"},
    "tasks": {**_ENGAGEMENT, "hs_lastmodifieddate": "timestamp"},
}

# what the staging models read of the pipelines and of their stages, dlt's child table of
# `pipelines` that only unnesting real pipelines creates: a CRM skipped in own-data mode
# creates both empty with these columns (orchestration/defs/ingestion/hubspot.py), so the
# file user's own pipelines still build (typed as the API's JSON loads them)
SKIPPED_PIPELINE_COLUMNS: dict[str, dict[str, str]] = {
    "pipelines": {"id": "text", "label": "text", "display_order": "bigint"},
    "pipelines__stages": {
        "id": "text",
        "label": "text",
        "display_order": "bigint",
        "metadata__is_closed": "text",
        "metadata__probability": "text",
        "_dlt_parent_id": "text",
    },
}
