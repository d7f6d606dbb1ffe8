"""Password hashes: one-time passwords cheaper, and replaced at the first login."""

from __future__ import annotations

from ediary_tui.server.passwords import (
    hash_one_time_password,
    hash_password,
    needs_rehash,
    temporary_password,
    verify_password,
)


def test_a_one_time_hash_verifies_and_asks_to_be_replaced() -> None:
    password = temporary_password()
    one_time = hash_one_time_password(password)
    assert verify_password(one_time, password)
    assert not verify_password(one_time, password + "x")
    assert needs_rehash(one_time)  # the login that uses it stores the standard hash
    assert not needs_rehash(hash_password(password))


def test_one_time_passwords_are_long_random_and_unambiguous() -> None:
    seen = {temporary_password() for _ in range(500)}
    assert len(seen) == 500
    assert all(len(p) == 10 and not set(p) & set("il1o0") for p in seen)
