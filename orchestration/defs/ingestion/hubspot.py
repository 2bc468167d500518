"""The CRM over HubSpot's API, loaded into `raw_crm`."""

from collections.abc import Iterator

import dlt
from dagster import AssetExecutionContext
from dagster_dlt import DagsterDltResource, dlt_assets

from ingestion.demo.settings import demo_crm_endpoint
from ingestion.pipelines import raw_pipeline
from ingestion.sources.hubspot import hubspot
from orchestration.defs.ingestion.translator import DEFINITION_TIME_URL, RawTableTranslator
from orchestration.retries import retry_with_backoff


class CrmNotConfigured(RuntimeError):
    """Neither a HubSpot token nor a running demo CRM: the message says how to get one."""


def hubspot_connection() -> tuple[str, str]:
    """`sources.hubspot.base_url`/`access_token` from dlt's config, else the demo CRM server."""
    token = dlt.secrets.get("sources.hubspot.access_token")
    if token:
        base_url = dlt.config.get("sources.hubspot.base_url") or "https://api.hubapi.com"
        return str(base_url), str(token)
    endpoint = demo_crm_endpoint()
    if endpoint is None:
        raise CrmNotConfigured(
            "no HubSpot token (SOURCES__HUBSPOT__ACCESS_TOKEN) and no demo CRM running: "
            "set the token, or run `make demo` to start the demo CRM"
        )
    return endpoint


@dlt_assets(
    dlt_source=hubspot(base_url="http://definitions-only", access_token="definitions-only"),
    dlt_pipeline=raw_pipeline("crm", url=DEFINITION_TIME_URL),
    name="raw_crm",
    dagster_dlt_translator=RawTableTranslator(),
    pool="raw_crm",
)
@retry_with_backoff
def raw_crm_assets(context: AssetExecutionContext, dlt: DagsterDltResource) -> Iterator:
    """Incremental load of the CRM's owners, pipelines, objects and deal stage history."""
    base_url, token = hubspot_connection()
    yield from dlt.run(
        context=context,
        dlt_source=hubspot(base_url=base_url, access_token=token),
        dlt_pipeline=raw_pipeline("crm"),
    )
