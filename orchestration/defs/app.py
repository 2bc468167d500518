"""The Streamlit app as an external asset at the end of the graph: it reads the `marts` tables.

Declaring it makes lineage read sources -> staging -> marts -> app, so the UI shows which app
numbers a failed load or check would leave stale. Dagster does not run it; `make run` serves it.
"""

from dagster import AssetKey, AssetSpec

from orchestration.defs.forecast.commission import EXPECTED_KEY
from orchestration.defs.forecast.ranges import RANGES_KEY
from orchestration.defs.quality.publish import AUDIT_SCHEMA, PUBLISHED_SCHEMA
from orchestration.resources import dbt_models

streamlit_app = AssetSpec(
    key=AssetKey(["app", "streamlit"]),
    deps=[
        AssetKey([PUBLISHED_SCHEMA, name])
        for schema, name in dbt_models()
        if schema in (PUBLISHED_SCHEMA, AUDIT_SCHEMA)  # audited models are read once published
    ]
    + [RANGES_KEY, EXPECTED_KEY],  # the forecast's marts Dagster writes beside dbt's
    group_name="app",
    kinds={"streamlit"},
    description="The Streamlit app (app/streamlit_app.py) for managers and finance; reads marts.",
    metadata={"url": "http://localhost:8501", "entry_point": "app/streamlit_app.py"},
)
