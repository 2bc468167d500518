"""Salesforce objects we load, the fields we ask for, and the API's limits."""

DEFAULT_API_VERSION = "v61.0"
TOKEN_PATH = "/services/oauth2/token"
EPOCH = "1970-01-01T00:00:00.000+0000"
# the modification stamp every object has; `LastModifiedDate` misses system changes
CURSOR_FIELD = "SystemModstamp"

# sObject -> (raw table, standard fields). Fields every incremental object has (`Id`,
# `SystemModstamp`, `IsDeleted`, `CreatedDate`) are added by `soql_fields`.
OBJECTS: dict[str, tuple[str, list[str]]] = {
    "User": (
        "users",
        ["Email", "FirstName", "LastName", "IsActive", "Department"],
    ),
    "OpportunityStage": (
        "opportunity_stages",
        [
            "ApiName",
            "MasterLabel",
            "SortOrder",
            "IsActive",
            "IsClosed",
            "IsWon",
            "DefaultProbability",
            "ForecastCategoryName",
        ],
    ),
    # an org with several sales processes has opportunity record types, each with its
    # process's stages: a pipeline each (record_type_stages)
    "RecordType": (
        "record_types",
        ["Name", "DeveloperName", "SobjectType", "BusinessProcessId", "IsActive"],
    ),
    "Account": ("accounts", ["Name", "Industry", "OwnerId"]),
    "Contact": ("contacts", ["AccountId", "Email", "LeadSource", "OwnerId"]),
    "Opportunity": (
        "opportunities",
        [
            "Name",
            "Amount",
            "StageName",
            "CloseDate",
            "IsClosed",
            "IsWon",
            "OwnerId",
            "AccountId",
            "LeadSource",
            "Probability",
            "ForecastCategoryName",
            "LastStageChangeDate",
        ],
    ),
    "OpportunityHistory": (
        "opportunity_history",
        ["OpportunityId", "StageName", "Amount", "CloseDate", "Probability", "ForecastCategory"],
    ),
    "OpportunityLineItem": (
        "opportunity_line_items",
        ["OpportunityId", "Product2Id", "Quantity", "UnitPrice", "TotalPrice"],
    ),
    "Product2": ("products", ["Name", "ProductCode", "Family", "IsActive"]),
    "Task": (
        "tasks",
        [
            "OwnerId",
            "WhatId",
            "What.Type",
            "AccountId",
            "Subject",
            "Status",
            "Type",
            "TaskSubtype",
            "ActivityDate",
            "CompletedDateTime",
        ],
    ),
    "Event": (
        "events",
        [
            "OwnerId",
            "WhatId",
            "What.Type",
            "AccountId",
            "Subject",
            "Type",
            "StartDateTime",
            "EndDateTime",
        ],
    ),
}
# objects without `IsDeleted` (users are deactivated, never deleted; stages and record types
# are metadata)
NOT_DELETABLE = {"User", "OpportunityStage", "RecordType"}
# Opportunity has `RecordTypeId` only in an org with opportunity record types: asked for then
RECORD_TYPE_FIELD = "RecordTypeId"
RECORD_TYPES_SOQL = "SELECT Id, Name FROM RecordType WHERE SobjectType = 'Opportunity'"
# a record type's stages: the `StageName` values its business process allows (UI API)
STAGE_VALUES_PATH = "/ui-api/object-info/Opportunity/picklist-values/{record_type_id}/StageName"
# only multi-currency orgs have this field; a single-currency org names its currency instead
CURRENCY_FIELD = "CurrencyIsoCode"
MONEY_OBJECTS = {"Opportunity", "OpportunityHistory", "OpportunityLineItem"}

# Fields our models read under a fixed column, taken from whichever field of the org holds them
# (Salesforce has no standard field for a loss reason, an orders-system customer id or a team).
# Overridden per org by `sources.salesforce.role_fields`.
DEFAULT_ROLE_FIELDS: dict[str, dict[str, str]] = {
    "Opportunity": {"loss_reason": "Loss_Reason__c"},
    "Account": {"customer_id": "Customer_Id__c"},
    "User": {"team_id": "Department"},
}

# Columns the staging models read, declared so they exist before any record fills them (an org
# that never logged an event still builds), typed as the models expect them. Named as the API
# names the fields (dlt snake-cases them): the cursor's own hint uses the API's name, and a hint
# declared under the normalised name would collide with it.
_COMMON = {
    "Id": "text",
    "CreatedDate": "timestamp",
    "SystemModstamp": "timestamp",
    "IsDeleted": "bool",
}
_ACTIVITY = {
    **_COMMON,
    "OwnerId": "text",
    "WhatId": "text",
    "What_Type": "text",
    "AccountId": "text",
    "Type": "text",
}
COLUMN_HINTS: dict[str, dict[str, str]] = {
    "users": {
        **_COMMON,
        "Email": "text",
        "FirstName": "text",
        "LastName": "text",
        "IsActive": "bool",
        "team_id": "text",
    },
    "accounts": {**_COMMON, "Name": "text", "Industry": "text", "customer_id": "text"},
    "record_types": {
        **_COMMON,
        "Name": "text",
        "DeveloperName": "text",
        "SobjectType": "text",
        "BusinessProcessId": "text",
        "IsActive": "bool",
    },
    "record_type_stages": {
        "record_type_id": "text",
        "stage_name": "text",
        "stage_label": "text",
        "position": "bigint",
    },
    "contacts": {**_COMMON, "AccountId": "text", "Email": "text", "LeadSource": "text"},
    "opportunity_stages": {
        **_COMMON,
        "ApiName": "text",
        "MasterLabel": "text",
        "SortOrder": "bigint",
        "IsActive": "bool",
        "IsClosed": "bool",
        "IsWon": "bool",
        "DefaultProbability": "decimal",
        "ForecastCategoryName": "text",
    },
    "opportunities": {
        **_COMMON,
        "Name": "text",
        "Amount": "decimal",
        "CurrencyIsoCode": "text",
        "StageName": "text",
        "CloseDate": "date",
        "IsClosed": "bool",
        "IsWon": "bool",
        "OwnerId": "text",
        "AccountId": "text",
        "LeadSource": "text",
        "Probability": "decimal",
        "ForecastCategoryName": "text",
        "LastStageChangeDate": "timestamp",
        "RecordTypeId": "text",
        "loss_reason": "text",
    },
    "opportunity_history": {
        **_COMMON,
        "OpportunityId": "text",
        "StageName": "text",
        "Amount": "decimal",
        "CloseDate": "date",
        "Probability": "decimal",
    },
    "opportunity_line_items": {
        **_COMMON,
        "OpportunityId": "text",
        "Product2Id": "text",
        "Quantity": "decimal",
        "UnitPrice": "decimal",
        "TotalPrice": "decimal",
        "CurrencyIsoCode": "text",
    },
    "products": {**_COMMON, "Name": "text", "ProductCode": "text", "Family": "text"},
    "tasks": {
        **_ACTIVITY,
        "TaskSubtype": "text",
        "ActivityDate": "date",
        "CompletedDateTime": "timestamp",
    },
    "events": {**_ACTIVITY, "StartDateTime": "timestamp"},
}
# fields holding timestamps or dates: loaded typed, not as text
TIMESTAMP_FIELDS = {
    "CreatedDate",
    "SystemModstamp",
    "LastStageChangeDate",
    "CompletedDateTime",
    "StartDateTime",
    "EndDateTime",
}
DATE_FIELDS = {"CloseDate", "ActivityDate"}

# Bulk API 2.0 query jobs for the objects that grow large (one row per deal, per change, per
# product line, per call or visit). A job costs a create, a poll or more and one request per set
# of results, against one request per 2,000 records over REST: it pays from some ten thousand
# records to read. `bulk_min_records` overrides the threshold per org.
BULK_OBJECTS = {"Opportunity", "OpportunityHistory", "OpportunityLineItem", "Task", "Event"}
DEFAULT_BULK_MIN_RECORDS = 10_000
DEFAULT_BULK_MAX_RECORDS = 50_000  # records per set of results (`maxRecords`)
