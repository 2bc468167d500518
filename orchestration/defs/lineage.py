"""Lineage the integrations cannot see on their own: dlt's nested tables.

dlt loads a nested list into a child table `<parent>__<field>` (e.g. `raw_crm.pipelines__stages`)
with the parent resource, so no dlt asset is named after it; a dbt source reading it would
otherwise appear as an orphan outside the `raw` group. Each one is declared here as an external
asset in `raw`, downstream of the asset that loads it.
"""

from dagster import AssetKey, AssetSpec

from orchestration.resources import dbt_sources

nested_raw_tables = [
    AssetSpec(
        key=AssetKey([schema, table]),
        deps=[AssetKey([schema, table.split("__")[0]])],
        group_name="raw",
        kinds={"dlt"},
        description=f"Nested table loaded with `{schema}.{table.split('__')[0]}` by dlt.",
    )
    for schema, table in dbt_sources()
    if schema.startswith("raw_") and "__" in table
]
