"""Identity benchmarks: access-token verification and Argon2 login time.

Prints medians of ``--runs`` runs (each the median of ``--iterations`` calls) of:
- token verification, ES256 and RS256, with the parsed key kept in memory: *first sight*
  (signature checked: the verified-token memory is cleared before every call) and
  *repeat* (the same token again, as a client sends it with every request until expiry);
- the per-request principal check (one read-model lookup, SQLite) that makes disabling
  take effect at once;
- an Argon2 password check (what one login costs) and an Argon2 hash.
Run: ``python bench/auth.py``.
"""

from __future__ import annotations

import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Literal

from arguments import arguments

from api.identity.passwords import ARGON2_MEMORY_KIB, ARGON2_TIME_COST, Passwords
from api.identity.tokens import TokenAuthority
from api.services import build_services
from api.settings import Settings
from domain.access import ROLE_SCOPES, Role
from events import sql
from events.projections import principals
from migrations import runner as migrate

PASSWORD = "a-benchmark-password-2025"


def median_of_runs(call: Callable[[], object], runs: int, iterations: int) -> float:
    """The median over ``runs`` of each run's median call time, in microseconds."""
    medians = []
    for _ in range(runs):
        times = []
        for _ in range(iterations):
            start = time.perf_counter()
            call()
            times.append(time.perf_counter() - start)
        medians.append(statistics.median(times))
    return statistics.median(medians) * 1e6


def verification(
    algorithm: Literal["ES256", "RS256"], folder: Path, runs: int, iterations: int
) -> tuple[float, float]:
    """First-sight and repeat verification times of one token, in microseconds."""
    settings = Settings(
        database_url="sqlite://", key_dir=folder / algorithm, signing_algorithm=algorithm
    )
    authority = TokenAuthority(settings)
    token = authority.mint(
        subject="demo-kader",
        role=Role.KADER,
        scopes=ROLE_SCOPES[Role.KADER],
        reach=["32.79.02.1001"],
        version=1,
    )

    def first_sight() -> None:
        authority.forget_verified()
        authority.verify(token)

    cold = median_of_runs(first_sight, runs, iterations)
    authority.verify(token)
    warm = median_of_runs(lambda: authority.verify(token), runs, iterations)
    return cold, warm


def principal_check(folder: Path, runs: int, iterations: int) -> float:
    """One lookup of a principal in the read model (SQLite file), in microseconds."""
    settings = Settings(database_url=f"sqlite:///{folder / 'bench.db'}", key_dir=folder, demo=True)
    services = build_services(settings)
    migrate.upgrade(services.engine)
    services.start()
    try:
        with services.store.reader() as driver:
            reader = sql.Reader(services.engine.dialect, driver)
            return median_of_runs(
                lambda: principals.standing(reader, "demo-kader"), runs, iterations
            )
    finally:
        services.close()


def argon2(runs: int) -> tuple[float, float]:
    """Milliseconds for one password check and one hash."""
    passwords = Passwords()
    stored = passwords.hash(PASSWORD)
    check = median_of_runs(lambda: passwords.verify(PASSWORD, stored), runs, 5) / 1000
    made = median_of_runs(lambda: passwords.hash(PASSWORD), runs, 3) / 1000
    return check, made


def main() -> None:
    """Run every benchmark and print the medians."""
    args = arguments(__doc__, runs=5, iterations=400).parse_args()
    with tempfile.TemporaryDirectory() as scratch:
        folder = Path(scratch)
        print(f"token verification, median of {args.runs} runs x {args.iterations} calls")
        for algorithm in ("ES256", "RS256"):
            cold, warm = verification(algorithm, folder, args.runs, args.iterations)
            print(f"  {algorithm}: first sight {cold:7.1f} us   repeat {warm:6.1f} us")
        lookup = principal_check(folder, args.runs, args.iterations)
        print(f"  principal check (SQLite read model): {lookup:.1f} us")
    check, made = argon2(args.runs)
    print(
        f"Argon2id m={ARGON2_MEMORY_KIB} KiB t={ARGON2_TIME_COST} p=1, median of {args.runs} runs"
    )
    print(f"  login (verify): {check:.1f} ms   hash: {made:.1f} ms")


if __name__ == "__main__":
    main()
