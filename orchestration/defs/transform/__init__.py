"""dbt assets: every model an asset named after its table, dbt tests as asset checks."""
