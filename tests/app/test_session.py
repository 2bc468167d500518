"""The signed session token: what it holds, and every way it is refused."""

from __future__ import annotations

import base64
import json
from pathlib import Path

import pytest

from app import session


@pytest.fixture(autouse=True)
def state(tmp_path: Path, monkeypatch) -> Path:
    monkeypatch.setenv("APP_STATE_DIR", str(tmp_path))
    monkeypatch.delenv("APP_SESSION_SECRET", raising=False)
    monkeypatch.delenv("APP_SESSION_HOURS", raising=False)
    return tmp_path


def test_a_token_names_its_login_and_no_secret(state: Path) -> None:
    token = session.issue("alice", now=1000.0)
    assert session.verify(token, now=1001.0) == "alice"
    payload = json.loads(base64.urlsafe_b64decode(token.split(".")[0] + "=="))
    assert payload == {"login": "alice", "iat": 1000.0, "exp": 1000.0 + 12 * 3600}
    # the server secret was made once, owner-only
    secret = state / "session_secret"
    assert secret.stat().st_mode & 0o777 == 0o600


def test_expired_forged_and_foreign_tokens_are_refused(monkeypatch) -> None:
    token = session.issue("alice", now=1000.0)
    assert session.verify(token, now=1000.0 + 12 * 3600) is None
    payload, signature = token.split(".")
    forged = base64.urlsafe_b64encode(b'{"login":"fiona","iat":1000,"exp":99999}').decode()
    assert session.verify(f"{forged.rstrip('=')}.{signature}", now=1001.0) is None
    assert session.verify("not-a-token", now=1001.0) is None
    monkeypatch.setenv("APP_SESSION_SECRET", "another-server-" + "x" * 32)
    assert session.verify(token, now=1001.0) is None


def test_sign_out_ends_every_earlier_token_of_that_login_only() -> None:
    alice = session.issue("alice", now=1000.0)
    bob = session.issue("bob", now=1000.0)
    session.end("alice", now=1500.0)
    assert session.verify(alice, now=1600.0) is None
    assert session.verify(bob, now=1600.0) == "bob"
    assert session.verify(session.issue("alice", now=1700.0), now=1800.0) == "alice"


def test_bad_settings_fail_fast_with_the_fix(monkeypatch) -> None:
    monkeypatch.setenv("APP_SESSION_SECRET", "short")
    with pytest.raises(session.SessionConfigError, match="at least 32"):
        session.issue("alice")
    monkeypatch.delenv("APP_SESSION_SECRET")
    monkeypatch.setenv("APP_SESSION_HOURS", "-1")
    with pytest.raises(session.SessionConfigError, match="APP_SESSION_HOURS"):
        session.issue("alice")


def test_the_cookie_script_sets_and_deletes_the_cookie() -> None:
    token = session.issue("alice")
    assert f"spw_session={token}; Max-Age=43200; Path=/; SameSite=Strict" in (
        session.cookie_script(token)
    )
    assert "spw_session=; Max-Age=0" in session.cookie_script(None)
