"""Passwords and client secrets: Argon2 hashing, and backoff after failed logins."""

from __future__ import annotations

import functools
import secrets
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Final

from pwdlib import PasswordHash
from pwdlib.exceptions import UnknownHashError
from pwdlib.hashers.argon2 import Argon2Hasher

# Argon2id at 24 MiB, 4 passes, 1 lane: about 50-100 ms per login on a small server
# (bench/auth.py reports it); stronger than OWASP's minimum (19 MiB, 2 passes).
ARGON2_TIME_COST: Final = 4
ARGON2_MEMORY_KIB: Final = 24 * 1024
MIN_PASSWORD_LENGTH: Final = 10
MAX_SECRET_LENGTH: Final = 256  # longer inputs are refused before hashing (cheap DoS)


class WeakPassword(ValueError):
    """A password too short (or too long) to accept."""


class Passwords:
    """Hashes and checks secrets; a check for an unknown user costs as much as a real one."""

    def __init__(
        self, time_cost: int = ARGON2_TIME_COST, memory_kib: int = ARGON2_MEMORY_KIB
    ) -> None:
        self.time_cost, self.memory_kib = time_cost, memory_kib
        hasher = Argon2Hasher(time_cost=time_cost, memory_cost=memory_kib, parallelism=1)
        self._hash = PasswordHash((hasher,))

    def hash(self, secret: str) -> str:
        """The Argon2 hash of a new password or secret."""
        check_password(secret)
        return self._hash.hash(secret)

    def verify(self, secret: str, secret_hash: str | None) -> bool:
        """Whether ``secret`` matches; with no hash, spend the same time and answer no."""
        if len(secret) > MAX_SECRET_LENGTH:
            return False
        if secret_hash is None:
            self._hash.verify(secret, self.dummy())
            return False
        try:
            return self._hash.verify(secret, secret_hash)
        except UnknownHashError:  # not a hash (a replay's withheld secret): nothing matches it
            self._hash.verify(secret, self.dummy())
            return False

    def dummy(self) -> str:
        """A hash of nothing anyone knows, checked when there is no real one (timing)."""
        return _dummy_hash(self.time_cost, self.memory_kib)


@functools.cache
def _dummy_hash(time_cost: int, memory_kib: int) -> str:
    hasher = Argon2Hasher(time_cost=time_cost, memory_cost=memory_kib, parallelism=1)
    return PasswordHash((hasher,)).hash(secrets.token_urlsafe(16))


def check_password(secret: str) -> None:
    """Refuse a password that is too short or too long."""
    if len(secret) < MIN_PASSWORD_LENGTH:
        raise WeakPassword(f"a password has at least {MIN_PASSWORD_LENGTH} characters")
    if len(secret) > MAX_SECRET_LENGTH:
        raise WeakPassword(f"a password has at most {MAX_SECRET_LENGTH} characters")


def new_client_secret() -> str:
    """A random client secret (256 bits), shown once to the operator."""
    return secrets.token_urlsafe(32)


@dataclass
class _Failures:
    count: int
    last: float
    blocked_until: float


class LoginThrottle:
    """Slows repeated failed logins for one username, whether or not the username exists.

    The first few failures are free (typing mistakes); then each further one blocks the
    username for twice as long as the one before, up to a minute. A success clears it.
    State is per process and bounded; a quiet quarter of an hour forgets a username.
    """

    FREE: Final = 3
    CAP_SECONDS: Final = 60.0
    FORGET_AFTER: Final = 900.0
    MAX_TRACKED: Final = 10_000

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self.clock = clock
        self._failures: dict[str, _Failures] = {}
        self._lock = threading.Lock()

    def wait(self, username: str) -> float:
        """Seconds until ``username`` may try again (0: now)."""
        with self._lock:
            entry = self._current(username)
            return 0.0 if entry is None else max(0.0, entry.blocked_until - self.clock())

    def failed(self, username: str) -> int:
        """Count a failure; returns the failures in a row."""
        with self._lock:
            now = self.clock()
            entry = self._current(username) or _Failures(0, now, now)
            entry.count, entry.last = entry.count + 1, now
            if entry.count > self.FREE:
                entry.blocked_until = now + min(
                    2.0 ** (entry.count - self.FREE - 1), self.CAP_SECONDS
                )
            self._failures.pop(username, None)
            self._failures[username] = entry
            while len(self._failures) > self.MAX_TRACKED:
                self._failures.pop(next(iter(self._failures)))
            return entry.count

    def succeeded(self, username: str) -> None:
        """Forget the failures of ``username``."""
        with self._lock:
            self._failures.pop(username, None)

    def _current(self, username: str) -> _Failures | None:
        entry = self._failures.get(username)
        if entry is not None and self.clock() - entry.last > self.FORGET_AFTER:
            del self._failures[username]
            return None
        return entry
