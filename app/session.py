"""A signed session cookie, so a reload or a new tab keeps the viewer signed in.

Streamlit starts a new session (and forgets `st.session_state`) on every reload. The app
therefore gives a signed-in browser a token: the login, when it was issued and when it expires,
signed with HMAC-SHA256 under a server secret. No password or hash is in it, and the role is
not either: it is read again from the users file, so a changed role applies at once.

The secret is `APP_SESSION_SECRET` when set (several app servers must share it), else a random
one kept in `<state folder>/app/session_secret` (made on first use, readable by its owner only).
Signing out records the time per login (`.state/app/signed_out.toml`): every token of that login
issued before it is refused, so a copied cookie dies with the sign-out too.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import os
import secrets
import time
import tomllib
from pathlib import Path

from ingestion.platform.paths import state_dir

COOKIE = "spw_session"
SECRET_ENV = "APP_SESSION_SECRET"
HOURS_ENV = "APP_SESSION_HOURS"
DEFAULT_HOURS = 12


class SessionConfigError(ValueError):
    """A session setting is unusable; the message names the variable and the fix."""


def _state_dir() -> Path:
    return Path(os.environ.get("APP_STATE_DIR") or state_dir() / "app")


def session_hours() -> float:
    """How long a token lives (`APP_SESSION_HOURS`, default 12)."""
    raw = os.environ.get(HOURS_ENV, "").strip()
    try:
        hours = float(raw) if raw else DEFAULT_HOURS
    except ValueError:
        hours = 0
    if hours <= 0:
        raise SessionConfigError(
            f"{HOURS_ENV}={raw!r} is not a number of hours: set it to e.g. 12, or unset it"
        )
    return hours


def _secret() -> bytes:
    configured = os.environ.get(SECRET_ENV, "")
    if configured:
        if len(configured) < 32:
            raise SessionConfigError(
                f"{SECRET_ENV} is too short to sign sessions ({len(configured)} characters): "
                'use at least 32, e.g. python -c "import secrets; print(secrets.token_urlsafe(48))"'
            )
        return configured.encode()
    path = _state_dir() / "session_secret"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(descriptor, "w") as handle:
            handle.write(secrets.token_urlsafe(48))
    return path.read_text().strip().encode()


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _signature(payload: str) -> str:
    return _b64(hmac.new(_secret(), payload.encode(), hashlib.sha256).digest())


def issue(login: str, now: float | None = None) -> str:
    """A token for `login`, valid for `session_hours()`."""
    issued = time.time() if now is None else now
    claims = {"login": login, "iat": issued, "exp": issued + session_hours() * 3600}
    payload = _b64(json.dumps(claims, separators=(",", ":")).encode())
    return f"{payload}.{_signature(payload)}"


def _signed_out_file() -> Path:
    return _state_dir() / "signed_out.toml"


def _signed_out_at(login: str) -> float:
    path = _signed_out_file()
    if not path.exists():
        return 0.0
    with open(path, "rb") as handle:
        return float(tomllib.load(handle).get(login, 0.0))


def verify(token: str | None, now: float | None = None) -> str | None:
    """The login a token was issued to, or None when it is forged, expired or signed out."""
    if not token or token.count(".") != 1:
        return None
    payload, signature = token.split(".")
    if not hmac.compare_digest(signature, _signature(payload)):
        return None
    try:
        claims = json.loads(_unb64(payload))
        login, issued, expires = str(claims["login"]), float(claims["iat"]), float(claims["exp"])
    except (ValueError, KeyError, TypeError):
        return None
    current = time.time() if now is None else now
    if current >= expires or issued <= _signed_out_at(login):
        return None
    return login


def end(login: str, now: float | None = None) -> None:
    """Refuse every token `login` holds: the server side of signing out."""
    path = _signed_out_file()
    entries: dict[str, float] = {}
    if path.exists():
        with open(path, "rb") as handle:
            entries = {key: float(value) for key, value in tomllib.load(handle).items()}
    entries[login] = time.time() if now is None else now
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("".join(f"{json.dumps(key)} = {value!r}\n" for key, value in entries.items()))


def cookie_script(token: str | None) -> str:
    """The script that stores `token` in the browser's cookie (or deletes it when None).

    `st.context.cookies` is read-only, so the cookie is written by a line of JavaScript that
    `st.html(..., unsafe_allow_javascript=True)` runs in the page; the token is URL-safe base64,
    so it needs no quoting. It cannot be `HttpOnly` (script-set); `SameSite=Strict` keeps it off
    other sites' requests, and `Secure` is added when the page is served over https."""
    if token is None:
        value, max_age = "", 0
    else:
        value, max_age = token, int(session_hours() * 3600)
    return (
        "<script>document.cookie = "
        f"'{COOKIE}={value}; Max-Age={max_age}; Path=/; SameSite=Strict'"
        " + (location.protocol === 'https:' ? '; Secure' : '');</script>"
    )
