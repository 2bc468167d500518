"""Month-end approvals and the close from the app, in the database, on the tiny company.

The tiny company (tests/fixtures/README.md) with the plans of `tests/incentives/plans/`: Alice
Wang (101) manages teams 11 and 12, Dan Chen (104) team 21; Bob Li (102) is a rep of team 11, and
so is Carol Zhang (103) in January. January's lines are worked out by hand in test_period_close.py:
101 248.00 (4 lines), 102 2,000.00 (2 lines), 103 2,000.00 (3 lines), all team 11, all CNY.

Every write goes through `commission_ops`' security definer functions as the app calls them:
after `set local role` to the viewer's database role. A refused call raises PostgreSQL's
`insufficient_privilege` (or names what is missing), whatever the app's buttons offer.
"""

from __future__ import annotations

import psycopg2
import pytest
from dagster import (
    DagsterEventType,
    DagsterInstance,
    RunRequest,
    build_run_status_sensor_context,
    build_sensor_context,
)

from tests.incentives import test_period_close as period_close

# The tiny company's own warehouse, loaded and built as the period-close tests do.
tiny_warehouse = period_close.tiny_warehouse
monkeypatch_module = period_close.monkeypatch_module

JANUARY, FEBRUARY = "2026-01-01", "2026-02-01"


def _as(url: str, role: str, sql: str, params: tuple = ()) -> object:
    """One statement as `role` (the app's `set local role`), committed; its first value."""
    with psycopg2.connect(url) as conn, conn.cursor() as cur:
        cur.execute("select set_config('role', %s, true)", (role,))
        cur.execute(sql, params)
        return cur.fetchone()[0] if cur.description else None


def _refusal(url: str, role: str, sql: str, params: tuple = ()) -> str:
    """The database's refusal of the statement as `role` (the test fails if it is accepted)."""
    with pytest.raises(psycopg2.Error) as refused:
        _as(url, role, sql, params)
    return f"{refused.value.pgcode} {refused.value.diag.message_primary}"


def _rows(url: str, sql: str, params: tuple = ()) -> list[tuple]:
    with psycopg2.connect(url) as conn, conn.cursor() as cur:
        cur.execute(sql, params)
        return cur.fetchall()


APPROVE = "select commission_ops.approve(%s, %s, %s, %s)"
CLOSE = "select commission_ops.request_close(%s, %s)"
STATUS = (
    "select scope_type, scope_id, status from commission_ops.approval_status"
    " where period_start = %s and is_latest order by 1, 2"
)


def _close_as_requested(outcome: DagsterEventType) -> tuple[list[RunRequest], str]:
    """What the daemon does for a pending close request: the sensor's run request, the close
    job's run, and the run-status sensor of its outcome (RUN_SUCCESS or RUN_FAILURE)."""
    from orchestration.definitions import defs
    from orchestration.defs.incentives.close_requests import (
        close_request_closed,
        close_request_failed,
        close_requested_periods,
    )
    from orchestration.defs.incentives.period_close import PERIOD_CLOSE_JOB_NAME

    with DagsterInstance.ephemeral() as instance:
        launched = list(close_requested_periods(build_sensor_context(instance=instance)))
        result = defs.resolve_job_def(PERIOD_CLOSE_JOB_NAME).execute_in_process(
            instance=instance,
            partition_key=launched[0].partition_key,
            tags=launched[0].tags,
            raise_on_error=False,
        )
        (event,) = [
            record.dagster_event
            for record in instance.all_logs(result.run_id)
            if record.dagster_event and record.dagster_event_type == outcome
        ]
        context = build_run_status_sensor_context(
            sensor_name="close_request_outcome",
            dagster_instance=instance,
            dagster_run=instance.get_run_by_id(result.run_id),
            dagster_event=event,
        )
        if outcome == DagsterEventType.RUN_SUCCESS:
            close_request_closed(context)
        else:
            close_request_failed(context.for_run_failure())
    return launched, result.run_id


@pytest.fixture(scope="module")
def month_end(tiny_warehouse: tuple[str, str]) -> dict[str, object]:
    """On the built marts, approve, refuse, void and close January as the roles would."""
    url, _ = tiny_warehouse
    roles = dict(_rows(url, "select rep_id, db_role from app_meta.viewers"))
    alice, bob, dan = roles["101"], roles["102"], roles["104"]
    seen: dict[str, object] = {"roles": roles}

    seen["rep_refused"] = [
        _refusal(url, bob, APPROVE, (JANUARY, "team", "11", "bob")),
        _refusal(url, bob, APPROVE, (JANUARY, "company", "company", "bob")),
        _refusal(url, bob, CLOSE, (JANUARY, "bob")),
        _refusal(
            url, bob, "insert into commission_ops.approvals (period_start) values (%s)", (JANUARY,)
        ),
    ]
    seen["manager_refused"] = [
        _refusal(url, dan, APPROVE, (FEBRUARY, "team", "11", "dan")),
        _refusal(url, alice, APPROVE, (FEBRUARY, "team", "21", "alice")),
        _refusal(url, alice, APPROVE, (JANUARY, "company", "company", "alice")),
        _refusal(url, alice, CLOSE, (JANUARY, "alice")),
        _refusal(url, "spw_finance", APPROVE, (JANUARY, "team", "11", "fiona")),
    ]
    seen["dan_approves_21"] = _as(url, dan, APPROVE, (FEBRUARY, "team", "21", "dan"))
    seen["rep_sees"] = _as(url, bob, "select count(*) from commission_ops.approval_status")
    seen["alice_sees"] = _as(url, alice, "select count(*) from commission_ops.approval_status")

    seen["team_11"] = _as(url, alice, APPROVE, (JANUARY, "team", "11", "alice"))
    seen["close_before_finance"] = _refusal(url, "spw_finance", CLOSE, (JANUARY, "fiona"))
    seen["company"] = _as(url, "spw_finance", APPROVE, (JANUARY, "company", "company", "fiona"))
    seen["recorded"] = _rows(
        url,
        "select scope_type, scope_id, approved_by_role, approved_by, net_amounts::text,"
        " line_count from commission_ops.approvals where period_start = %s order by 1 desc",
        (JANUARY,),
    )
    seen["checklist"] = _as(
        url,
        "spw_finance",
        "select string_agg(scope_id || '=' || status, ', ' order by scope_id)"
        " from commission_ops.close_checklist(%s)",
        (JANUARY,),
    )
    seen["status_before"] = _rows(url, STATUS, (JANUARY,))

    # A late change to one of 102's January lines voids the approvals covering it (rolled back).
    with psycopg2.connect(url) as conn, conn.cursor() as cur:
        cur.execute(
            "update marts.fct_commission_lines set amount = amount + 1.00"
            " where rep_id = '102' and period_start = %s and rule = 'base_rate'",
            (JANUARY,),
        )
        cur.execute("select set_config('role', 'spw_finance', true)")
        cur.execute(STATUS, (JANUARY,))
        seen["status_after_change"] = cur.fetchall()
        cur.execute("savepoint before_close")
        try:
            cur.execute("select commission_ops.request_close(%s, 'fiona')", (JANUARY,))
        except psycopg2.Error as refused:
            seen["close_while_void"] = refused.diag.message_primary
        conn.rollback()
    seen["status_restored"] = _rows(url, STATUS, (JANUARY,))

    request = _as(url, "spw_finance", CLOSE, (JANUARY, "fiona"))
    seen["second_request"] = _refusal(url, "spw_finance", CLOSE, (JANUARY, "fiona"))
    launched, run_id = _close_as_requested(DagsterEventType.RUN_SUCCESS)
    seen["run_requests"] = [(r.run_key, r.partition_key, dict(r.tags)) for r in launched]
    seen["events"] = _rows(
        url,
        "select status from commission_ops.close_request_events where request_id = %s"
        " order by recorded_at",
        (request,),
    )
    seen["request"] = request
    seen["request_status"] = _rows(
        url,
        "select status, run_id from commission_ops.close_request_status where request_id = %s",
        (request,),
    )
    seen["run_id"] = run_id
    seen["closed"] = [
        str(month)
        for (month,) in _rows(url, "select period_start from incentives_closed.closed_periods")
    ]
    seen["approve_closed"] = _refusal(url, alice, APPROVE, (JANUARY, "team", "11", "alice"))
    _failed_close_of_february(url, alice, seen)
    return seen


def _failed_close_of_february(url: str, alice: str, seen: dict[str, object]) -> None:
    """February approved (Dan's team 21 before January closed: closing January left February's
    figures as they were) and requested; then its published lines change under it, so the close
    job refuses to freeze them and the request is recorded failed with the job's reason."""
    for team in ("11", "12"):
        _as(url, alice, APPROVE, (FEBRUARY, "team", team, "alice"))
    _as(url, "spw_finance", APPROVE, (FEBRUARY, "company", "company", "fiona"))
    request = _as(url, "spw_finance", CLOSE, (FEBRUARY, "fiona"))
    with psycopg2.connect(url) as conn, conn.cursor() as cur:
        cur.execute(
            "update marts.fct_commission_lines set amount = amount + 1.00"
            " where rep_id = '102' and period_start = %s and rule = 'base_rate'",
            (FEBRUARY,),
        )
    _close_as_requested(DagsterEventType.RUN_FAILURE)
    seen["february_request"] = _rows(
        url,
        "select status, message from commission_ops.close_request_status where request_id = %s",
        (request,),
    )
    seen["closed_after_failure"] = [
        str(month)
        for (month,) in _rows(url, "select period_start from incentives_closed.closed_periods")
    ]


def test_a_rep_cannot_approve_close_or_write(month_end) -> None:
    bob = month_end["roles"]["102"]
    assert month_end["rep_refused"] == [
        f"42501 role {bob} cannot approve team 11: a team is approved by its manager",
        f"42501 role {bob} cannot approve the month 2026-01: only finance approves the month",
        f"42501 role {bob} cannot close 2026-01: only finance closes a month",
        "42501 permission denied for table approvals",
    ]
    assert month_end["rep_sees"] == 0  # and reads no approval


def test_a_manager_approves_only_their_teams(month_end) -> None:
    roles = month_end["roles"]
    alice, dan = roles["101"], roles["104"]
    assert month_end["manager_refused"] == [
        f"42501 role {dan} cannot approve team 11: a team is approved by its manager",
        f"42501 role {alice} cannot approve team 21: a team is approved by its manager",
        f"42501 role {alice} cannot approve the month 2026-01: only finance approves the month",
        f"42501 role {alice} cannot close 2026-01: only finance closes a month",
        "42501 role spw_finance cannot approve team 11: a team is approved by its manager",
    ]
    assert isinstance(month_end["dan_approves_21"], int)
    assert month_end["alice_sees"] == 0  # Dan's approval of team 21 is not Alice's to read


def test_each_approval_records_who_and_the_totals_approved(month_end) -> None:
    # January, all team 11: 248.00 + 2,000.00 + 2,000.00 = 4,248.00 CNY in 4 + 2 + 3 = 9 lines
    assert month_end["recorded"] == [
        ("team", "11", month_end["roles"]["101"], "alice", '{"CNY": 4248.00}', 9),
        ("company", "company", "spw_finance", "fiona", '{"CNY": 4248.00}', 9),
    ]
    assert month_end["close_before_finance"] == (
        "P0001 cannot close 2026-01: approvals not valid: company missing"
    )
    assert month_end["checklist"] == "11=valid, company=valid"


def test_a_late_change_voids_the_approvals_it_touches(month_end) -> None:
    assert month_end["status_before"] == [("company", "company", "valid"), ("team", "11", "valid")]
    assert month_end["status_after_change"] == [
        ("company", "company", "void"),
        ("team", "11", "void"),
    ]
    assert month_end["close_while_void"] == (
        "cannot close 2026-01: approvals not valid: 11 void, company void"
    )
    assert month_end["status_restored"] == month_end["status_before"]


def test_the_close_request_runs_the_close_job_and_closes_the_month(month_end) -> None:
    request = month_end["request"]
    assert month_end["second_request"] == "P0001 month 2026-01 has a close request in progress"
    assert month_end["run_requests"] == [
        (f"close_request_{request}", "2026-01", {"spw/close_request_id": str(request)})
    ]
    assert month_end["events"] == [("launched",), ("closed",)]
    assert month_end["request_status"] == [("closed", month_end["run_id"])]
    assert month_end["closed"] == ["2026-01-01"]
    assert month_end["approve_closed"] == "P0001 month 2026-01 is closed: nothing to approve"


def test_a_failed_close_is_recorded_with_its_reason(month_end) -> None:
    ((status, message),) = month_end["february_request"]
    assert status == "failed"
    # 102's three February base_rate lines (L001, L002, L013) differ: 3 rows each way
    assert message.startswith(
        "the published lines of 2026-02 differ from the latest build in marts_audit (6 rows)"
    ), message
    assert month_end["closed_after_failure"] == ["2026-01-01"]
