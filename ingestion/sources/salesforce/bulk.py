"""Bulk API 2.0 query jobs: the same SOQL as over REST, run asynchronously by the org and read
back as CSV.

API: https://developer.salesforce.com/docs/atlas.en-us.api_asynch.meta/api_asynch/queries.htm

A job is created (`POST /jobs/query`, operation `query`, or `queryAll` for deleted records),
polled until `JobComplete` (`Failed` or `Aborted` end the load naming the job and its
`errorMessage`), then its results are read in sets of `maxRecords`, each naming the next in the
`Sforce-Locator` header (`null` after the last). Bulk API 2.0 refuses ORDER BY, so the rows come
in any order; dlt's incremental keeps the highest `SystemModstamp` and de-duplicates the
boundary by (`Id`, `SystemModstamp`) whatever the order.

CSV holds text: an empty value is null, booleans are `true`/`false`; numbers become Decimal
and booleans bool for the columns the staging models read typed (`COLUMN_HINTS`), so a row
lands as it would over REST. A custom field (`__c`) of a number type arrives as text.
"""

from __future__ import annotations

import csv
import io
import time
from collections.abc import Iterator
from decimal import Decimal
from typing import Any
from urllib.parse import urlencode

from ingestion.sources.salesforce.helpers import SalesforceClient, SalesforceError

FINISHED_STATES = {"JobComplete", "Failed", "Aborted"}


def _typed(kind: str | None, text: str) -> Any:
    if text == "":
        return None
    if kind == "bool":
        return text.lower() == "true"
    if kind == "decimal":
        return Decimal(text)
    if kind == "bigint":
        return int(Decimal(text))
    return text


def csv_records(text: str, hints: dict[str, str]) -> list[dict[str, Any]]:
    """Records as the REST API would give them: typed by `hints`, a relationship column
    (`What.Type`) nested (`{"What": {"Type": ...}}`, or None when empty)."""
    records = []
    for row in csv.DictReader(io.StringIO(text)):
        record: dict[str, Any] = {}
        for name, text_value in row.items():
            if "." in name:
                parent, child = name.split(".", 1)
                if text_value == "":
                    record.setdefault(parent, None)
                else:
                    nested = record.get(parent) or {}
                    nested[child] = text_value
                    record[parent] = nested
                continue
            record[name] = _typed(hints.get(name), text_value)
        records.append(record)
    return records


class BulkQuery:
    """Runs SOQL as Bulk API 2.0 query jobs on a client's org."""

    def __init__(
        self,
        client: SalesforceClient,
        max_records: int,
        poll_interval_s: float,
        timeout_s: float,
    ) -> None:
        self.client = client
        self.max_records = max_records
        self.poll_interval_s = poll_interval_s
        self.timeout_s = timeout_s

    def _jobs_path(self) -> str:
        return f"/services/data/{self.client.api_version}/jobs/query"

    def run(self, soql: str, include_deleted: bool) -> str:
        """Create the job and wait until it completes; its id."""
        operation = "queryAll" if include_deleted else "query"
        job = self.client.request(
            "POST",
            self._jobs_path(),
            json={"operation": operation, "query": soql, "contentType": "CSV"},
        ).json()
        deadline = time.monotonic() + self.timeout_s
        while job["state"] not in FINISHED_STATES:
            if time.monotonic() > deadline:
                raise SalesforceError(
                    f"Bulk API query job {job['id']} ({operation} on {job.get('object')}) did not"
                    f" complete in {self.timeout_s:.0f} s (state {job['state']}): raise "
                    "sources.salesforce.bulk_timeout_s, or bulk_min_records to read it over REST"
                )
            time.sleep(self.poll_interval_s)
            job = self.client.get(f"{self._jobs_path()}/{job['id']}")
        if job["state"] != "JobComplete":
            raise SalesforceError(
                f"Bulk API query job {job['id']} ({operation} on {job.get('object')}) ended "
                f"{job['state']}: {job.get('errorMessage') or 'no errorMessage given'}"
            )
        return str(job["id"])

    def pages(
        self, soql: str, include_deleted: bool, hints: dict[str, str]
    ) -> Iterator[list[dict[str, Any]]]:
        """The query's records, a set of results at a time, following `Sforce-Locator`."""
        job_id = self.run(soql, include_deleted)
        locator: str | None = None
        while True:
            params: dict[str, Any] = {"maxRecords": self.max_records}
            if locator:
                params["locator"] = locator
            response = self.client.request(
                "GET", f"{self._jobs_path()}/{job_id}/results?{urlencode(params)}"
            )
            yield csv_records(response.content.decode("utf-8"), hints)
            locator = response.headers.get("Sforce-Locator")
            if not locator or locator == "null":
                return
