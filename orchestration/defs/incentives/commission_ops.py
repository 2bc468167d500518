"""The month-end decisions people record in `commission_ops` (disputes, holds), as the assets the
dbt source `commission_ops` reads: observed, never materialised here (the app writes them through
the schema's role-checked functions; dbt's on-run-start macro `commission_ops_disputes` creates
them), so the asset graph shows which incentive models they feed."""

import dagster as dg

commission_ops_views = [
    dg.AssetSpec(
        key=["commission_ops", view],
        group_name="commission_ops",
        description=description,
        kinds={"postgres"},
    )
    for view, description in (
        ("dispute_status", "Disputes raised by reps and finance's decisions (append-only events)."),
        ("hold_status", "Holds finance placed on a rep's or a deal's commission, and releases."),
    )
]
