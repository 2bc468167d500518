"""App test fixtures: the pipeline's marts of the tiny company (tests/fixtures/README.md), one
login per role, and a signed-in `AppTest`."""

from __future__ import annotations

import os
from pathlib import Path

import psycopg2
import pytest
from streamlit.testing.v1 import AppTest

from app.auth import Viewer, hash_password, write_users

APP = Path(__file__).resolve().parents[2] / "app" / "streamlit_app.py"
# The tiny company's people: Alice Wang (101) manages East A (11) and East B (12), where Bob Li
# (102) and Carol Zhang (103) sell; Dan Chen (104) manages South A (21) with Eve Liu (105).
LOGINS = {
    "finance": Viewer(login="fiona", name="Fiona Zhou", role="finance"),
    "manager": Viewer(login="alice", name="Alice Wang", role="manager", rep_id="101"),
    "rep": Viewer(login="bob", name="Bob Li", role="rep", rep_id="102", email="bob@tiny.example"),
}


def password_of(role: str) -> str:
    return f"{LOGINS[role].login}-secret"


SALES_MARTS = (
    "dim_reps",
    "dim_teams",
    "dim_customers",
    "dim_products",
    "dim_pipeline_stages",
    "fct_orders",
    "fct_order_lines",
    "fct_deals",
    "fct_deal_stage_history",
    "fct_activities",
    "fct_funnel_stages",
    "fct_target_attainment",
)
INCENTIVE_MARTS = ("fct_payouts", "fct_commission_lines", "fct_incentive_points")


@pytest.fixture(scope="session")
def require_marts(pipeline_run, warehouse_url: str):
    """Skip, naming them, when marts a test reads have not been built by the pipeline yet."""

    def check(*names: str) -> None:
        with psycopg2.connect(warehouse_url) as conn, conn.cursor() as cur:
            cur.execute(
                "select name from unnest(%s::text[]) as name"
                " where to_regclass('marts.' || name) is null",
                (list(names),),
            )
            missing = [row[0] for row in cur.fetchall()]
        if missing:
            pytest.skip(f"the pipeline does not build these marts yet: {', '.join(missing)}")

    return check


@pytest.fixture(scope="session")
def app_users(require_marts, tmp_path_factory) -> Path:
    """The users file the app reads (`APP_USERS_FILE`), with the logins above."""
    require_marts(*SALES_MARTS)
    path = tmp_path_factory.mktemp("app") / "users.toml"
    write_users(
        path,
        [
            Viewer(**{**vars(viewer), "password_hash": hash_password(password_of(role), 4)})
            for role, viewer in LOGINS.items()
        ],
    )
    os.environ["APP_USERS_FILE"] = str(path)
    return path


@pytest.fixture
def credentials(app_users):
    """`(login, password)` of a role's test login."""
    return lambda role: (LOGINS[role].login, password_of(role))


@pytest.fixture
def sign_in(app_users):
    """An `AppTest` of the whole app signed in as `role`, opened with `query` in its URL."""

    def open_app(role: str, **query: str) -> AppTest:
        app = AppTest.from_file(str(APP), default_timeout=60)
        app.query_params.update(query)
        app.run()
        assert not app.exception, app.exception
        app.text_input(key="login_name").input(LOGINS[role].login)
        app.text_input(key="login_password").input(password_of(role))
        app.button[0].click().run()
        assert not app.exception, app.exception
        return app

    return open_app
