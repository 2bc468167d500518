"""Asset keys of dlt resources: named after the tables they load, `raw_<source>/<table>`."""

from __future__ import annotations

from dagster import AssetKey, AssetSpec
from dagster_dlt import DagsterDltTranslator
from dagster_dlt.translator import DltResourceTranslatorData

# dlt sources and pipelines are built when the definitions load, before any warehouse is needed;
# assets pass the real credentials when they run.
DEFINITION_TIME_URL = "postgresql://definitions-only@127.0.0.1:1/none"


class RawTableTranslator(DagsterDltTranslator):
    """Keys `raw_<source>/<table>` in group `raw`, with no made-up upstream assets."""

    def get_asset_spec(self, data: DltResourceTranslatorData) -> AssetSpec:
        spec = super().get_asset_spec(data)
        dataset = data.pipeline.dataset_name if data.pipeline else data.resource.source_name
        return spec.replace_attributes(
            key=AssetKey([dataset, data.resource.table_name]),
            deps=[],
            group_name="raw",
        )
