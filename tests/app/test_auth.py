"""The local users file: bcrypt hashes only, clear errors, and sign-in checks the password."""

from __future__ import annotations

from pathlib import Path

import pytest

from app.auth import UsersFileError, Viewer, check_password, hash_password, load_users, write_users


@pytest.fixture
def users(tmp_path: Path) -> Path:
    path = tmp_path / "users.toml"
    write_users(
        path,
        [
            Viewer(
                login="fin", name="Finance", role="finance", password_hash=hash_password("f-pw", 4)
            ),
            Viewer(
                login="li",
                name="李雷",
                role="rep",
                rep_id="R1",
                password_hash=hash_password("r-pw", 4),
            ),
        ],
    )
    return path


def test_the_file_holds_hashes_not_passwords(users: Path) -> None:
    text = users.read_text(encoding="utf-8")
    assert "f-pw" not in text and "r-pw" not in text
    assert text.count("$2b$04$") == 2
    assert users.stat().st_mode & 0o777 == 0o600


def test_the_right_password_signs_in_and_a_wrong_one_does_not(users: Path) -> None:
    viewer = check_password("li", "r-pw", users)
    assert viewer is not None and (viewer.role, viewer.rep_id, viewer.name) == ("rep", "R1", "李雷")
    assert check_password("li", "f-pw", users) is None
    assert check_password("nobody", "r-pw", users) is None
    assert check_password("fin", "f-pw", users).role == "finance"


def test_a_bad_entry_names_the_file_user_and_field(tmp_path: Path) -> None:
    path = tmp_path / "users.toml"
    path.write_text('[users.han]\nrole = "rep"\npassword_hash = "x"\n', encoding="utf-8")
    with pytest.raises(UsersFileError, match=r"users.toml: user 'han': field 'rep_id'"):
        load_users(path)
    path.write_text('[users.han]\nrole = "boss"\n', encoding="utf-8")
    with pytest.raises(UsersFileError, match=r"user 'han': field 'role'"):
        load_users(path)
