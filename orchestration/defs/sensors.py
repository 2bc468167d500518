"""Sensors: an alert on every failed run, logged and posted to `ALERT_WEBHOOK_URL` when set."""

from dagster import DefaultSensorStatus, RunFailureSensorContext, run_failure_sensor

from orchestration.alerts import send_alert


def failure_text(context: RunFailureSensorContext) -> tuple[str, list[str]]:
    """The alert's sentence and the failed steps, named so the reader knows where to look."""
    run = context.dagster_run
    steps = sorted(
        {event.step_key for event in context.get_step_failure_events() if event.step_key}
    )
    reason = context.failure_event.message or "the run failed"
    text = (
        f"Run {run.run_id[:8]} of job {run.job_name} failed"
        f"{': steps ' + ', '.join(steps) if steps else ''}. {reason}"
    )
    return text, steps


@run_failure_sensor(
    name="alert_on_run_failure",
    default_status=DefaultSensorStatus.RUNNING,
    description="Log every failed run and post it to ALERT_WEBHOOK_URL when one is configured.",
)
def alert_on_run_failure(context: RunFailureSensorContext) -> None:
    text, steps = failure_text(context)
    run = context.dagster_run
    send_alert(
        "run_failure",
        text,
        context.log,
        job=run.job_name,
        run_id=run.run_id,
        failed_steps=steps,
        tags=dict(run.tags),
    )
