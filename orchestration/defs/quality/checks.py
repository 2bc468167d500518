"""Great Expectations suites as Dagster asset checks, and the blocking guard on paying marts.

Every check is a plain `@asset_check` that runs one suite (`suites.py`) and returns its
`AssetCheckResult`. Checks on guarded models (those dbt builds into `marts_audit`) are blocking:
when one fails, the publish step and everything downstream of it are skipped (`publish.py`).
"""

from dagster import (
    AssetCheckExecutionContext,
    AssetCheckResult,
    AssetChecksDefinition,
    AssetKey,
    asset_check,
)

from orchestration.defs.quality import suites
from orchestration.defs.quality.publish import build_publish_asset, guarded_models
from orchestration.defs.quality.validation import TableSuite, run_suite
from orchestration.resources import dbt_models

CHECK_NAME = "great_expectations"


def gx_check(suite: TableSuite, *, blocking: bool = False) -> AssetChecksDefinition:
    """An asset check on table `suite.schema`.`suite.table` that runs the GX suite."""

    @asset_check(
        asset=AssetKey([suite.schema, suite.table]),
        name=CHECK_NAME,
        blocking=blocking,
        description=suite.description or f"Great Expectations suite {suite.name}",
    )
    def check(context: AssetCheckExecutionContext) -> AssetCheckResult:
        validation = run_suite(suite, context.run.run_id)
        context.log.info(
            f"{suite.name}: {'passed' if validation.success else 'FAILED'}"
            f" ({validation.row_count} rows; validation {validation.validation_id})"
        )
        return validation.check_result()

    return check


raw_order_lines_check = gx_check(suites.RAW_ORDER_LINES)
raw_crm_deals_check = gx_check(suites.RAW_CRM_DEALS)
fct_orders_check = gx_check(suites.FCT_ORDERS)
# A mart another engineer is still building gets its check once dbt knows the model.
mart_checks = [
    gx_check(suite)
    for suite in (suites.FCT_TARGET_ATTAINMENT,)
    if (suite.schema, suite.table) in dbt_models()
]

GUARDED_MODELS = guarded_models()
guarded_model_checks = [
    gx_check(suites.audited_suite(model), blocking=True) for model in GUARDED_MODELS
]
publish_audited_marts = build_publish_asset(GUARDED_MODELS) if GUARDED_MODELS else None
