"""The Great Expectations suites, one per checked table, written as code.

One home per rule: row and relationship rules (not null, unique keys, a payout equal to the sum
of its lines, a line's amount equal to basis x rate) are dbt tests, which Dagster runs as
blocking asset checks. GX keeps what dbt does not do well: value ranges and distributions, and
drift against the last good run (`row_count_near_previous`). docs/developing.md says which goes
where.

Each suite is a function from `SuiteInputs` to GX expectations, so a suite can use the table's
previous good row count. A rule over several rows or tables is an `UnexpectedRowsExpectation`: a
query returning the offending rows, `{batch}` standing for the checked table.
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
REPS_RELATION = "marts.dim_reps"


def row_count_near_previous(inputs: SuiteInputs) -> Expectation:
    """Row count within `QUALITY_ROW_COUNT_TOLERANCE` of the last good validation's count."""
    import great_expectations as gx

    low, high = row_count_bounds(
        inputs.previous_row_count, row_count_tolerance(), inputs.may_be_empty
    )
    return gx.expectations.ExpectTableRowCountToBeBetween(
        min_value=low,
        max_value=high,
        description=f"row count within tolerance of the previous good run "
        f"({inputs.previous_row_count if inputs.previous_row_count is not None else 'none yet'})",
    )


def _orders_raw_order_lines(inputs: SuiteInputs) -> Sequence[Expectation]:
    import great_expectations as gx

    return [
        gx.expectations.ExpectColumnValuesToBeBetween(column="quantity", min_value=0),
        gx.expectations.ExpectColumnValuesToBeBetween(column="unit_price", min_value=0),
    ]


def _marts_fct_orders(inputs: SuiteInputs) -> Sequence[Expectation]:
    import great_expectations as gx

    return [
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


def attainment_within_bounds(reps: str = REPS_RELATION) -> Expectation:
    """Attainment within `ATTAINMENT_BOUNDS`, a rep's month joined or left in judged at the
    full month's pace: its target is prorated to the days employed (`int_targets_attained`), so
    one order in a leaver's last days can rightly be many times it. Such a month's attainment is
    scaled by days employed / days in the month before the bounds apply (hire date the first
    day, leave date the first day gone, from `reps`)."""
    import great_expectations as gx

    low, high = ATTAINMENT_BOUNDS
    return gx.expectations.UnexpectedRowsExpectation(
        description=(
            f"attainment between {low} and {high} (a rep's partial month at its full-month pace)"
        ),
        unexpected_rows_query=f"""
            with employment as (
                select rep_id, min(hire_date) as hire_date, max(leave_date) as leave_date
                from {reps}
                group by rep_id
            ),
            months as (
                select
                    attainment.*,
                    least(
                        coalesce(employment.leave_date, attainment.period_end_date + 1),
                        attainment.period_end_date + 1
                    ) - greatest(
                        coalesce(employment.hire_date, attainment.period_start),
                        attainment.period_start
                    ) as employed_days,
                    attainment.period_end_date - attainment.period_start + 1 as period_days
                from {{batch}} as attainment
                left join employment
                    on attainment.scope_type = 'rep'
                    and attainment.period_type = 'month'
                    and employment.rep_id = attainment.scope_id
            )
            select *
            from months
            where (
                case
                    when employed_days between 1 and period_days - 1
                        then attainment_pct * employed_days / period_days
                    else attainment_pct
                end
            ) not between {low} and {high}
        """,
    )


def _marts_fct_target_attainment(inputs: SuiteInputs) -> Sequence[Expectation]:
    import great_expectations as gx

    return [
        attainment_within_bounds(),
        gx.expectations.ExpectColumnValuesToBeBetween(column="target_amount", min_value=0),
        row_count_near_previous(inputs),
    ]


RAW_CRM_DEALS = TableSuite(
    schema="raw_crm",
    table="deals",
    expectations=_crm_raw_deals,
    description="Deal amounts are not negative; every deal's stage exists in its pipeline.",
)
FCT_TARGET_ATTAINMENT = TableSuite(
    schema="marts",
    table="fct_target_attainment",
    expectations=_marts_fct_target_attainment,
    description=(
        "Attainment within sane bounds (-100% to 2000%; a rep's partial month at its full-month"
        " pace), targets not negative, row count."
    ),
)
RAW_ORDER_LINES = TableSuite(
    schema="raw_orders",
    table="order_lines",
    expectations=_orders_raw_order_lines,
    description="Order lines have non-negative quantities and prices.",
)
FCT_ORDERS = TableSuite(
    schema="marts",
    table="fct_orders",
    expectations=_marts_fct_orders,
    description="Order amounts are sane; the row count is near the last good run.",
)


def _audited_commission_lines(inputs: SuiteInputs) -> Sequence[Expectation]:
    import great_expectations as gx

    return [
        # Every rate is a ratio: a commission rate, a multiplier's excess, a credit share, or +-1.
        gx.expectations.ExpectColumnValuesToBeBetween(column="rate", min_value=-1, max_value=1),
        row_count_near_previous(inputs),
    ]


def _audited_commission_accruals(inputs: SuiteInputs) -> Sequence[Expectation]:
    """No row-count rule: the journal holds only the open months, so closing a range of months
    empties most of it by design."""
    import great_expectations as gx

    return [
        gx.expectations.ExpectColumnValuesToBeBetween(column=column, min_value=0)
        for column in ("debit_amount", "credit_amount")
    ]


def _audited_default(inputs: SuiteInputs) -> Sequence[Expectation]:
    return [row_count_near_previous(inputs)]


PLAN_VERSIONS = "staging.stg_plans__plan_versions"

_AUDITED_SUITES = {
    "fct_commission_lines": (
        _audited_commission_lines,
        "Every rate is a ratio (-1 to 1); the row count is near the last good run.",
    ),
    "fct_commission_accruals": (
        _audited_commission_accruals,
        "Debits and credits are never negative (its size follows the open months).",
    ),
}


def audited_suite(model: str) -> TableSuite:
    """The blocking suite of a guarded model in `marts_audit` (at least its row count)."""
    expectations, description = _AUDITED_SUITES.get(
        model, (_audited_default, "The row count is near the last good run.")
    )
    return TableSuite(
        schema=AUDIT_SCHEMA,
        table=model,
        expectations=expectations,
        description=description,
        # no plan versions (none configured in own-data mode): nothing is owed, empty is right
        empty_unless=PLAN_VERSIONS,
    )
