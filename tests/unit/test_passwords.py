"""The rules for a password an official chooses themselves."""

from __future__ import annotations

import pytest

from domain.passwords import MIN_LENGTH, common_passwords, password_problem


def test_a_long_uncommon_password_is_accepted() -> None:
    assert password_problem("kopi tubruk di pelabuhan", "rina") is None


def test_a_password_shorter_than_twelve_characters_is_refused() -> None:
    assert MIN_LENGTH == 12
    assert password_problem("Kuda-Lari-9", "rina") == "password_too_short"


@pytest.mark.parametrize(
    "password",
    ["passwordpassword", "Bismillah123!", "indonesia2024", "qwertyuiop123", "aaaaaaaaaaaa"],
)
def test_well_known_passwords_are_refused_even_with_digits_added(password: str) -> None:
    assert password_problem(password, "rina") == "password_common"


def test_a_password_containing_the_username_is_refused() -> None:
    assert password_problem("rina.wati-serang-2026", "rina.wati") == "password_has_username"


def test_the_shipped_list_of_common_passwords_is_read_offline() -> None:
    common = common_passwords()

    assert {"123456", "password", "bismillah"} <= common
    assert not any(line.startswith("#") for line in common)
