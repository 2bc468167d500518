"""Who is looking: sign-in and the viewer's role.

With an `[auth]` section in Streamlit's secrets, viewers sign in with OIDC (`st.login`); otherwise
with a login and password checked against the local users file (`APP_USERS_FILE`, default
`.state/app/users.toml`, bcrypt hashes only). Either way the users file says each person's role
(`finance`, `manager`, `rep`) and CRM id; what they may read is then enforced by PostgreSQL's
row-level security through their database role (`app.data.connection`).

Users file::

    [users.li.lei]
    name = "Li Lei"
    role = "manager"          # finance | manager | rep
    rep_id = "O-102"          # the CRM owner id (managers and reps)
    email = "li.lei@example.com"   # matched against the OIDC identity
    password_hash = "$2b$12$..."   # bcrypt; optional when signing in with OIDC
"""

from __future__ import annotations

import os
import secrets
import tomllib
from dataclasses import dataclass, replace
from functools import cache
from pathlib import Path

import bcrypt
import streamlit as st

from app import session
from app.i18n import t
from ingestion.platform.paths import state_dir

ROLES = ("finance", "manager", "rep")


@dataclass(frozen=True)
class Viewer:
    """A signed-in person: their login, role and, for managers and reps, their CRM owner id."""

    login: str
    name: str
    role: str
    rep_id: str | None = None
    email: str | None = None
    password_hash: str | None = None

    @property
    def is_finance(self) -> bool:
        return self.role == "finance"


class UsersFileError(ValueError):
    """The users file is malformed; the message names the file, the user and the field."""


def users_file() -> Path:
    return Path(os.environ.get("APP_USERS_FILE") or state_dir() / "app" / "users.toml")


def load_users(path: Path | None = None) -> dict[str, Viewer]:
    """Every user in the users file by login; no file means nobody can sign in."""
    path = path or users_file()
    if not path.exists():
        return {}
    with open(path, "rb") as handle:
        entries = tomllib.load(handle).get("users", {})
    users = {}
    for login, entry in entries.items():
        role = entry.get("role")
        if role not in ROLES:
            raise UsersFileError(f"{path}: user {login!r}: field 'role' must be one of {ROLES}")
        if role != "finance" and not entry.get("rep_id"):
            raise UsersFileError(f"{path}: user {login!r}: field 'rep_id' is required for {role}")
        users[login] = Viewer(
            login=login,
            name=entry.get("name", login),
            role=role,
            rep_id=entry.get("rep_id"),
            email=entry.get("email"),
            password_hash=entry.get("password_hash"),
        )
    return users


def hash_password(password: str, rounds: int = 12) -> str:
    return bcrypt.hashpw(password.encode(), bcrypt.gensalt(rounds=rounds)).decode()


def write_users(path: Path, users: list[Viewer]) -> None:
    """Write a users file (the demo's, or a test's); only password hashes are stored."""

    def quoted(value: str) -> str:
        return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'

    lines = ["# Users of the sales performance app: see app/auth.py. Hashes only (bcrypt)."]
    for user in users:
        lines += ["", f"[users.{quoted(user.login)}]"]
        for field in ("name", "role", "rep_id", "email", "password_hash"):
            value = getattr(user, field)
            if value:
                lines.append(f"{field} = {quoted(value)}")
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    path.chmod(0o600)


@cache
def _unknown_login_hash() -> str:
    """Checked when the login is unknown, so a wrong login costs as long as a wrong password
    (made on first use, not at import: the sign-in page should paint at once)."""
    return hash_password(secrets.token_urlsafe(16))


def check_password(login: str, password: str, path: Path | None = None) -> Viewer | None:
    """The viewer when the password matches the login's bcrypt hash, else None."""
    user = load_users(path).get(login)
    stored = (user.password_hash if user else None) or _unknown_login_hash()
    matches = bcrypt.checkpw(password.encode(), stored.encode())
    return user if user is not None and user.password_hash and matches else None


def _oidc_configured() -> bool:
    try:
        return "auth" in st.secrets
    except FileNotFoundError:
        return False


def _oidc_viewer() -> Viewer | None:
    if not st.user.is_logged_in:
        st.button(t("auth.sso"), on_click=st.login, type="primary")
        return None
    email = str(st.user.get("email") or "").lower()
    for user in load_users().values():
        if user.email and user.email.lower() == email:
            return user
    st.error(t("auth.no_role", email=email))
    st.button(t("auth.sign_out"), on_click=st.logout)
    return None


def _password_viewer() -> Viewer | None:
    with st.form("login"):
        st.subheader(t("auth.title"))
        login = st.text_input(t("auth.login"), key="login_name")
        password = st.text_input(t("auth.password"), type="password", key="login_password")
        submitted = st.form_submit_button(t("auth.sign_in"), type="primary")
    if submitted:
        viewer = check_password(login.strip(), password)
        if viewer is None:
            st.error(t("auth.wrong_password"))
        return viewer
    return None


def sign_out() -> None:
    """End the session: this tab's, the browser's cookie and, server side, every token the login
    holds (a copied cookie stops working too)."""
    viewer = st.session_state.pop("viewer", None)
    if viewer is not None:
        session.end(viewer.login)
    st.session_state["cookie_script"] = session.cookie_script(None)
    if _oidc_configured() and st.user.is_logged_in:
        st.logout()


def _cookie_viewer() -> Viewer | None:
    """The viewer named by a valid session cookie (a reload, a new tab), when still a user."""
    login = session.verify(st.context.cookies.get(session.COOKIE))
    return load_users().get(login) if login else None


def write_session_cookie() -> None:
    """Run the pending cookie script (set after sign-in, cleared after sign-out) once."""
    script = st.session_state.pop("cookie_script", None)
    if script:
        st.html(script, unsafe_allow_javascript=True, width="content")


def current_viewer() -> Viewer | None:
    """The signed-in viewer, showing the sign-in form (and returning None) until there is one."""
    viewer = st.session_state.get("viewer")
    if viewer is None and not _oidc_configured():
        viewer = _cookie_viewer()
        if viewer is not None:
            st.session_state["viewer"] = replace(viewer, password_hash=None)
    if viewer is None:
        viewer = _oidc_viewer() if _oidc_configured() else _password_viewer()
        if viewer is not None:
            st.session_state["viewer"] = replace(viewer, password_hash=None)
            if not _oidc_configured():
                st.session_state["cookie_script"] = session.cookie_script(
                    session.issue(viewer.login)
                )
            st.rerun()
    return viewer
