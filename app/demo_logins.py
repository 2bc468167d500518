"""The demo's logins, one per role, written by `make run` with fresh random passwords.

Finance sees everything; the manager is the one managing the most reps in `marts.dim_reps`; the
rep is one of that manager's reps. Only bcrypt hashes go to the users file; the passwords are
printed once, to the terminal that ran `make run`.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from pathlib import Path

import psycopg2

from app.auth import Viewer, hash_password, users_file, write_users


@dataclass(frozen=True)
class DemoLogin:
    login: str
    password: str
    role: str
    name: str


def _pick_manager_and_rep(warehouse_url: str) -> tuple[tuple[str, str], tuple[str, str]] | None:
    with psycopg2.connect(warehouse_url) as conn, conn.cursor() as cur:
        cur.execute("select to_regclass('marts.dim_reps') is not null")
        if not cur.fetchone()[0]:
            return None
        cur.execute(
            """
            with current_reps as (
                select distinct on (rep_id) rep_id, full_name, manager_rep_id
                from marts.dim_reps
                order by rep_id, valid_from desc
            ),
            managers as (
                select manager_rep_id as rep_id, count(*) as reports
                from current_reps
                where manager_rep_id is not null
                group by manager_rep_id
            )
            select managers.rep_id, boss.full_name, rep.rep_id, rep.full_name
            from managers
            inner join current_reps as boss on managers.rep_id = boss.rep_id
            inner join current_reps as rep
                on rep.manager_rep_id = managers.rep_id and rep.rep_id <> managers.rep_id
            order by managers.reports desc, managers.rep_id, rep.rep_id
            limit 1
            """
        )
        row = cur.fetchone()
    return None if row is None else ((row[0], row[1]), (row[2], row[3]))


def create_demo_logins(warehouse_url: str, path: Path | None = None) -> list[DemoLogin]:
    """Write the users file with a finance, a manager and a rep login; return their passwords."""
    people = [("finance", "finance", None, "Finance")]
    picked = _pick_manager_and_rep(warehouse_url)
    if picked:
        (manager_id, manager_name), (rep_id, rep_name) = picked
        people += [("manager", "manager", manager_id, manager_name)]
        people += [("rep", "rep", rep_id, rep_name)]
    logins = [
        DemoLogin(login, secrets.token_urlsafe(9), role, name) for login, role, _, name in people
    ]
    write_users(
        path or users_file(),
        [
            Viewer(
                login=login.login,
                name=login.name,
                role=login.role,
                rep_id=rep_id,
                password_hash=hash_password(login.password),
            )
            for login, (_, _, rep_id, _) in zip(logins, people, strict=True)
        ],
    )
    return logins


def main() -> None:
    """`python -m app.demo_logins`: write fresh demo logins and print them, one per line (what
    `make run` shows once the app answers)."""
    from ingestion.platform.warehouse_url import warehouse_url

    print("App logins (new passwords each run):")
    for login in create_demo_logins(warehouse_url()):
        print(
            f"  {login.role:<8} login: {login.login:<8} password: {login.password}  ({login.name})"
        )


if __name__ == "__main__":
    main()
