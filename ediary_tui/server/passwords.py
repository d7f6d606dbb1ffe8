"""Password hashing (argon2id) and the random secrets the school hands out."""

from __future__ import annotations

import secrets
import string

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

_hasher = PasswordHasher()  # argon2id with the library's current recommended costs
# One-time passwords are random (~50 bits), so OWASP's minimum argon2id costs keep them out
# of reach offline while a class's 60-odd are hashed in about a second, not twelve. The
# first login replaces them (`needs_rehash` says so) with the password the person chooses.
_one_time_hasher = PasswordHasher(time_cost=2, memory_cost=19456, parallelism=1)

# Letters and digits that cannot be mistaken for each other when read aloud or off paper.
_TEMP_ALPHABET = "".join(c for c in string.ascii_lowercase + string.digits if c not in "il1o0")


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def hash_one_time_password(password: str) -> str:
    """The hash of a `temporary_password`: cheaper, and only until the first login."""
    return _one_time_hasher.hash(password)


def verify_password(password_hash: str, password: str) -> bool:
    try:
        return _hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash: str) -> bool:
    return _hasher.check_needs_rehash(password_hash)


def temporary_password(length: int = 10) -> str:
    """A first-login password: readable off paper, forced to change on first use."""
    return "".join(secrets.choice(_TEMP_ALPHABET) for _ in range(length))


# A hash that never verifies, so an unknown login costs as much as a wrong password.
DUMMY_HASH = _hasher.hash(secrets.token_urlsafe(16))
