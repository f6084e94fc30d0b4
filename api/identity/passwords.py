"""Passwords and client secrets: Argon2 hashing, a bounded number of checks at once."""

from __future__ import annotations

import functools
import secrets
import threading
from concurrent.futures import ThreadPoolExecutor
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
CONCURRENT_CHECKS: Final = 4


class Busy(Exception):
    """As many password checks as allowed are running: try again in a moment (503)."""


class WeakPassword(ValueError):
    """A password too short (or too long) to accept."""


class Passwords:
    """Hashes and checks secrets; a check for an unknown user costs as much as a real one.

    At most ``concurrent`` checks run at once: each holds 24 MiB and a core for about
    70 ms, so a burst of bogus logins would otherwise take the memory and every worker
    thread of the process (60 at once: 208 to 869 MiB, and other requests waited 15 s).
    A check beyond the bound is refused at once (``Busy``), never queued.
    """

    def __init__(
        self,
        time_cost: int = ARGON2_TIME_COST,
        memory_kib: int = ARGON2_MEMORY_KIB,
        concurrent: int = CONCURRENT_CHECKS,
    ) -> None:
        self.time_cost, self.memory_kib = time_cost, memory_kib
        hasher = Argon2Hasher(time_cost=time_cost, memory_cost=memory_kib, parallelism=1)
        self._hash = PasswordHash((hasher,))
        self._slots = threading.BoundedSemaphore(concurrent)
        # The checks run on these few threads only: glibc keeps each thread's freed Argon2
        # memory in that thread's arena, so checks on every request thread in turn would
        # grow the process by 24 MiB per thread even with few running at once.
        self._workers = ThreadPoolExecutor(concurrent, thread_name_prefix="argon2")

    def hash(self, secret: str) -> str:
        """The Argon2 hash of a new password or secret."""
        check_password(secret)
        return self._hash.hash(secret)

    def verify(self, secret: str, secret_hash: str | None) -> bool:
        """Whether ``secret`` matches; with no hash, spend the same time and answer no.
        ``Busy`` when the bound of checks at once is reached."""
        if len(secret) > MAX_SECRET_LENGTH:
            return False
        if not self._slots.acquire(blocking=False):
            raise Busy("too many logins are being checked; try again in a moment")
        try:
            return self._workers.submit(self._check, secret, secret_hash).result()
        finally:
            self._slots.release()

    def _check(self, secret: str, secret_hash: str | None) -> bool:
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
