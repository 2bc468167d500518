"""The Great Expectations suites, one per checked table, written as code.

Each suite is a function from `SuiteInputs` to GX expectations, so a suite can use the table's
previous good row count. Rules that span tables (a deal's stage must exist in its pipeline,
payouts must equal their lines) are `UnexpectedRowsExpectation`s: a query returning the offending
rows, `{batch}` standing for the checked table.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from orchestration.defs.quality.publish import AUDIT_SCHEMA
from orchestration.defs.quality.validation import (
    SuiteInputs,
    TableSuite,
    row_count_bounds,
    row_count_tolerance,
)

if TYPE_CHECKING:
    from great_expectations.expectations import Expectation

# Attainment (actual / target, 1.0000 = 100%) outside this range is a data error, not a star rep:
# a refund larger than the month's sales can push it below zero, and nobody sells 20x the target.
ATTAINMENT_BOUNDS = (-1, 20)


def row_count_near_previous(inputs: SuiteInputs) -> Expectation:
    """Row count within `QUALITY_ROW_COUNT_TOLERANCE` of the last good validation's count."""
    import great_expectations as gx

    low, high = row_count_bounds(inputs.previous_row_count, row_count_tolerance())
    return gx.expectations.ExpectTableRowCountToBeBetween(
        min_value=low,
        max_value=high,
        description=f"row count within tolerance of the previous good run "
        f"({inputs.previous_row_count if inputs.previous_row_count is not None else 'none yet'})",
    )


def _orders_raw_order_lines(inputs: SuiteInputs) -> Sequence[Expectation]:
    import great_expectations as gx

    return [
        gx.expectations.ExpectColumnValuesToNotBeNull(column="order_line_id"),
        gx.expectations.ExpectColumnValuesToBeUnique(column="order_line_id"),
        gx.expectations.ExpectColumnValuesToBeBetween(column="quantity", min_value=0),
        gx.expectations.ExpectColumnValuesToBeBetween(column="unit_price", min_value=0),
    ]


def _marts_fct_orders(inputs: SuiteInputs) -> Sequence[Expectation]:
    import great_expectations as gx

    return [
        gx.expectations.ExpectColumnValuesToBeUnique(column="order_id"),
        gx.expectations.ExpectColumnValuesToBeBetween(column="gross_amount", min_value=0),
        gx.expectations.UnexpectedRowsExpectation(
            description="net amount lies between zero and the gross amount",
            unexpected_rows_query=(
                "select * from {batch} where net_amount < 0 or net_amount > gross_amount"
            ),
        ),
        row_count_near_previous(inputs),
    ]


def _crm_raw_deals(inputs: SuiteInputs) -> Sequence[Expectation]:
    import great_expectations as gx

    return [
        gx.expectations.ExpectColumnValuesToNotBeNull(column="id"),
        gx.expectations.ExpectColumnValuesToBeUnique(column="id"),
        gx.expectations.UnexpectedRowsExpectation(
            description="deal amounts are not negative (HubSpot sends them as text)",
            unexpected_rows_query="select * from {batch} where amount::text ~ '^\\s*-'",
        ),
        gx.expectations.UnexpectedRowsExpectation(
            description="every deal's stage exists in the deal's own pipeline",
            unexpected_rows_query="""
                select deals.*
                from {batch} as deals
                where not exists (
                    select 1
                    from raw_crm.pipelines__stages as stages
                    inner join raw_crm.pipelines as pipelines
                        on stages._dlt_parent_id = pipelines._dlt_id
                    where pipelines.id::text = deals.pipeline::text
                        and stages.id::text = deals.dealstage::text
                )
            """,
        ),
    ]


def _marts_fct_target_attainment(inputs: SuiteInputs) -> Sequence[Expectation]:
    import great_expectations as gx

    low, high = ATTAINMENT_BOUNDS
    return [
        gx.expectations.ExpectColumnValuesToBeBetween(
            column="attainment_pct", min_value=low, max_value=high
        ),
        gx.expectations.ExpectColumnValuesToBeBetween(column="target_amount", min_value=0),
        row_count_near_previous(inputs),
    ]


RAW_CRM_DEALS = TableSuite(
    schema="raw_crm",
    table="deals",
    expectations=_crm_raw_deals,
    description="Deals have unique ids, non-negative amounts, stages that exist in their pipeline.",
)
FCT_TARGET_ATTAINMENT = TableSuite(
    schema="marts",
    table="fct_target_attainment",
    expectations=_marts_fct_target_attainment,
    description="Attainment within sane bounds (-100% to 2000%), targets not negative, row count.",
)
RAW_ORDER_LINES = TableSuite(
    schema="raw_orders",
    table="order_lines",
    expectations=_orders_raw_order_lines,
    description="Order lines have unique ids, non-negative quantities and prices.",
)
FCT_ORDERS = TableSuite(
    schema="marts",
    table="fct_orders",
    expectations=_marts_fct_orders,
    description="Orders are unique, amounts are sane, the row count is near the last good run.",
)


def _audited_commission_lines(inputs: SuiteInputs) -> Sequence[Expectation]:
    import great_expectations as gx

    return [
        gx.expectations.ExpectColumnValuesToNotBeNull(column="rep_id"),
        gx.expectations.ExpectColumnValuesToNotBeNull(column="period_start"),
        gx.expectations.ExpectColumnValuesToNotBeNull(column="amount"),
        # Every rate is a ratio: a commission rate, a multiplier's excess, a credit share, or +-1.
        gx.expectations.ExpectColumnValuesToBeBetween(column="rate", min_value=-1, max_value=1),
        gx.expectations.UnexpectedRowsExpectation(
            description="each line's amount is its basis x rate, rounded half away from zero",
            unexpected_rows_query=(
                "select * from {batch} where amount <> round(basis_amount * rate, 2)"
            ),
        ),
        row_count_near_previous(inputs),
    ]


def _audited_payouts(inputs: SuiteInputs) -> Sequence[Expectation]:
    import great_expectations as gx

    return [
        gx.expectations.ExpectCompoundColumnsToBeUnique(column_list=["rep_id", "period_start"]),
        gx.expectations.UnexpectedRowsExpectation(
            description="a payout's net amount is exactly the sum of its rep-period's lines",
            unexpected_rows_query=f"""
                with lines as (
                    select rep_id, period_start, sum(amount) as line_total
                    from {AUDIT_SCHEMA}.fct_commission_lines
                    group by rep_id, period_start
                )
                select payouts.*
                from {{batch}} as payouts
                full outer join lines
                    on lines.rep_id = payouts.rep_id
                    and lines.period_start = payouts.period_start
                where coalesce(payouts.net_payout_amount, 0) <> coalesce(lines.line_total, 0)
            """,
        ),
        row_count_near_previous(inputs),
    ]


def _audited_default(inputs: SuiteInputs) -> Sequence[Expectation]:
    return [row_count_near_previous(inputs)]


_AUDITED_SUITES = {
    "fct_commission_lines": (
        _audited_commission_lines,
        "Lines name rep, period and amount; rates are ratios; amount = basis x rate; row count.",
    ),
    "fct_payouts": (
        _audited_payouts,
        "One payout per rep and period, equal to the sum of its lines; row count near last run.",
    ),
}


def audited_suite(model: str) -> TableSuite:
    """The blocking suite of a guarded model in `marts_audit` (at least its row count)."""
    expectations, description = _AUDITED_SUITES.get(
        model, (_audited_default, "The row count is near the last good run.")
    )
    return TableSuite(
        schema=AUDIT_SCHEMA, table=model, expectations=expectations, description=description
    )
