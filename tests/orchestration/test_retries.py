"""Source steps retry transient failures only: configuration and data errors fail at once."""

from __future__ import annotations

from collections.abc import Iterator

import dlt
import psycopg2
import pytest
import requests
from dagster import MaterializeResult, asset, materialize

from ingestion.platform.warehouse_url import with_database
from ingestion.source_settings import SourceNotConfigured
from orchestration.retries import SourceConfigurationError, is_transient, retry_with_backoff


def _http_error(status: int) -> requests.HTTPError:
    response = requests.Response()
    response.status_code = status
    response.url = "http://crm.example/crm/v3/owners"
    return requests.HTTPError(f"{status} Error for url: {response.url}", response=response)


def _materialize(error: BaseException, monkeypatch: pytest.MonkeyPatch) -> tuple[int, str]:
    """Run a source-like asset failing with `error` (one retry allowed, no wait); return how
    many times it was put up for retry and the failure's message."""
    monkeypatch.setenv("SOURCE_MAX_RETRIES", "1")
    monkeypatch.setenv("SOURCE_RETRY_DELAY_SECONDS", "0")

    @asset
    @retry_with_backoff
    def source_step(context) -> Iterator[MaterializeResult]:
        raise error
        yield

    result = materialize([source_step], raise_on_error=False)
    retries = sum(1 for event in result.all_events if event.event_type_value == "STEP_UP_FOR_RETRY")
    [failure] = [event for event in result.all_events if event.is_step_failure]
    return retries, str(failure.step_failure_data.error)


@pytest.mark.parametrize(
    "error",
    [
        ValueError("mapping.yml: stage 'Won' is not in the mapping's stages"),
        SourceNotConfigured("hubspot is not configured: set SOURCES__HUBSPOT__ACCESS_TOKEN"),
        FileNotFoundError("/data/finance/org does not exist"),
    ],
)
def test_a_configuration_error_fails_at_once_with_its_own_message(
    error: Exception, monkeypatch: pytest.MonkeyPatch
) -> None:
    retries, message = _materialize(error, monkeypatch)
    assert retries == 0
    assert str(error) in message


@pytest.mark.parametrize("status", [401, 403])
def test_refused_credentials_fail_at_once_naming_the_fix(
    status: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    retries, message = _materialize(_http_error(status), monkeypatch)
    assert retries == 0
    assert SourceConfigurationError.__name__ in message
    assert "SOURCES__<SOURCE>__ACCESS_TOKEN" in message and f"{status} Error" in message


@pytest.mark.parametrize(
    "error",
    [
        ConnectionRefusedError(111, "Connection refused"),
        TimeoutError("timed out"),
        _http_error(429),
        _http_error(503),
        requests.ConnectionError("connection reset by peer"),
    ],
)
def test_a_transient_error_is_retried(error: Exception, monkeypatch: pytest.MonkeyPatch) -> None:
    retries, message = _materialize(error, monkeypatch)
    assert retries == 1
    assert str(error) in message


def test_real_database_errors_tell_a_refused_connection_from_a_bad_setting(
    warehouse_url: str,
) -> None:
    with pytest.raises(psycopg2.OperationalError) as nobody_listens:
        psycopg2.connect("postgresql://reader:x@127.0.0.1:1/shop", connect_timeout=3)
    assert is_transient(nobody_listens.value)
    with pytest.raises(psycopg2.OperationalError) as no_such_database:
        psycopg2.connect(with_database(warehouse_url, "spw_no_such_database"))
    assert not is_transient(no_such_database.value)


def test_errors_wrapped_by_a_real_dlt_load_are_classified_by_their_cause(
    warehouse_url: str,
) -> None:
    from ingestion.pipelines import raw_pipeline

    def rows(error: Exception):
        @dlt.resource(name="rows")
        def failing() -> Iterator[dict]:
            yield {"id": 1}
            raise error

        return failing

    pipeline = raw_pipeline("retry_probe", url=warehouse_url)
    with pytest.raises(Exception) as bad_mapping:
        pipeline.run(rows(ValueError("mapping.yml: unknown column 'amount'")))
    assert type(bad_mapping.value).__name__ == "PipelineStepFailed"
    assert not is_transient(bad_mapping.value)
    with pytest.raises(Exception) as dropped:
        pipeline.run(rows(ConnectionResetError(104, "Connection reset by peer")))
    assert is_transient(dropped.value)
