"""The guarded marts' blocking suites as a plain function, for steps that publish by themselves.

The pipeline runs the suites as blocking asset checks before `publish_audited_marts`. A job that
rebuilds guarded models and publishes them outside that graph (the period-close job) calls
`require_audited_suites_pass` between its dbt build and `publish_tables`, so nothing reaches
`marts` unchecked there either.
"""

from collections.abc import Sequence

from orchestration.defs.quality.suites import audited_suite
from orchestration.defs.quality.validation import Validation, run_suite


class QualityGateError(RuntimeError):
    """A guarded model failed its suite; the message names the model and the failed rules."""


def require_audited_suites_pass(
    models: Sequence[str], dagster_run_id: str | None = None
) -> list[Validation]:
    """Validate each model in `marts_audit` now; raise naming every failure, else return them."""
    validations = [run_suite(audited_suite(model), dagster_run_id) for model in models]
    failures = [
        f"{validation.suite.name}: {'; '.join(validation.failed_expectations)}"
        for validation in validations
        if not validation.success
    ]
    if failures:
        raise QualityGateError("not published, checks failed: " + " | ".join(failures))
    return validations
