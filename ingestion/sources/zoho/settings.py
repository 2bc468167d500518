"""Zoho CRM modules we load, the fields we ask for, the data centres and the API's limits."""

DEFAULT_API_VERSION = "v8"
# the account's data centre: where its OAuth tokens are issued (the API domain comes back with
# the token as `api_domain`); https://www.zoho.com/accounts/protocol/oauth/multi-dc.html
ACCOUNTS_DOMAINS = {
    "com": "https://accounts.zoho.com",
    "com.cn": "https://accounts.zoho.com.cn",
    "eu": "https://accounts.zoho.eu",
    "in": "https://accounts.zoho.in",
    "com.au": "https://accounts.zoho.com.au",
    "jp": "https://accounts.zoho.jp",
    "ca": "https://accounts.zohocloud.ca",
    "sa": "https://accounts.zoho.sa",
    "uk": "https://accounts.zoho.uk",
}
TOKEN_PATH = "/oauth/v2/token"
EPOCH = "1970-01-01T00:00:00+00:00"
CURSOR_FIELD = "Modified_Time"
PER_PAGE = 200  # the most a page of records holds
# `If-Modified-Since` is read to the second: ask from a second earlier, and the incremental
# cursor drops the rows it has seen (by id and `Modified_Time`)
SINCE_MARGIN_S = 1

# module API name -> (raw table, standard fields). `id`, `Created_Time` and `Modified_Time` are
# added to every module's `fields`. The UI's "Meetings" are the API's `Events`.
MODULES: dict[str, tuple[str, list[str]]] = {
    "Accounts": ("accounts", ["Account_Name", "Industry", "Owner"]),
    "Contacts": ("contacts", ["Account_Name", "Email", "Lead_Source", "Owner"]),
    "Deals": (
        "deals",
        [
            "Deal_Name",
            "Amount",
            "Stage",
            "Pipeline",
            "Closing_Date",
            "Probability",
            "Owner",
            "Account_Name",
            "Lead_Source",
        ],
    ),
    "Tasks": (
        "tasks",
        ["Subject", "Status", "Owner", "What_Id", "$se_module", "Due_Date", "Closed_Time"],
    ),
    "Calls": (
        "calls",
        ["Subject", "Call_Type", "Call_Start_Time", "Owner", "What_Id", "$se_module"],
    ),
    "Events": (
        "meetings",
        ["Event_Title", "Start_DateTime", "End_DateTime", "Owner", "What_Id", "$se_module"],
    ),
    "Notes": ("notes", ["Note_Title", "Owner", "Parent_Id"]),
}
# the Deals' related list holding one row per change of stage, amount, closing date or
# probability, and the fields we read from it
STAGE_HISTORY = "Stage_History"
STAGE_HISTORY_FIELDS = ["Stage", "Amount", "Closing_Date", "Probability", "Modified_Time"]
# only multi-currency orgs have this field; a single-currency org names its currency instead
CURRENCY_FIELD = "Currency"
MONEY_MODULES = {"Deals"}

# Fields our models read under a fixed column, taken from whichever field of the org holds them
# (the orders system's customer id and an event's kind are the org's own fields). Overridden per
# org by `sources.zoho.role_fields`. A lookup's key is named `<field>.<key>` (`role.id`): it
# arrives flattened as `role_id`.
DEFAULT_ROLE_FIELDS: dict[str, dict[str, str]] = {
    "Deals": {"loss_reason": "Reason_For_Loss__s"},
    "Users": {"team_id": "role.id"},
}

_COMMON = {"id": "text", "Created_Time": "timestamp", "Modified_Time": "timestamp"}
_ACTIVITY = {
    **_COMMON,
    "Owner_id": "text",
    "What_Id_id": "text",
    "se_module": "text",
}
# Columns the staging models read, declared so they exist before any record fills them, typed as
# the models expect them (named as the API names them; dlt snake-cases them).
COLUMN_HINTS: dict[str, dict[str, str]] = {
    "users": {
        "id": "text",
        "created_time": "timestamp",
        "Modified_Time": "timestamp",
        "email": "text",
        "first_name": "text",
        "last_name": "text",
        "status": "text",
        "team_id": "text",
    },
    "pipeline_stages": {
        "pipeline": "text",
        "pipeline_label": "text",
        "pipeline_is_default": "bool",
        "stage": "text",
        "stage_label": "text",
        "sequence_number": "bigint",
        "probability": "decimal",
        "forecast_type": "text",
        "forecast_category": "text",
        "layout_id": "text",
        "layout_modified_time": "timestamp",
    },
    "accounts": {**_COMMON, "Account_Name": "text", "Industry": "text", "customer_id": "text"},
    "contacts": {**_COMMON, "Account_Name_id": "text", "Email": "text", "Lead_Source": "text"},
    "deals": {
        **_COMMON,
        "Deal_Name": "text",
        "Amount": "decimal",
        "Currency": "text",
        "Stage": "text",
        "Pipeline": "text",
        "Closing_Date": "date",
        "Probability": "decimal",
        "Owner_id": "text",
        "Account_Name_id": "text",
        "Lead_Source": "text",
        "loss_reason": "text",
    },
    "deal_stage_history": {
        "id": "text",
        "deal_id": "text",
        "Stage": "text",
        "Amount": "decimal",
        "Closing_Date": "date",
        "Probability": "decimal",
        "Modified_Time": "timestamp",
    },
    "tasks": {**_ACTIVITY, "Status": "text", "Due_Date": "date", "Closed_Time": "timestamp"},
    "calls": {**_ACTIVITY, "Call_Start_Time": "timestamp"},
    "meetings": {**_ACTIVITY, "Start_DateTime": "timestamp", "meeting_type": "text"},
    "notes": {
        **_COMMON,
        "Owner_id": "text",
        "Parent_Id_id": "text",
        "Parent_Id_module_api_name": "text",
    },
    "deleted_records": {
        "id": "text",
        "module": "text",
        "type": "text",
        "deleted_time": "timestamp",
    },
}
# fields holding timestamps or dates: loaded typed, not as text
TIMESTAMP_FIELDS = {
    "Created_Time",
    "Modified_Time",
    "Closed_Time",
    "Call_Start_Time",
    "Start_DateTime",
    "End_DateTime",
    "created_time",
    "deleted_time",
}
DATE_FIELDS = {"Closing_Date", "Due_Date"}
