"""A burst of bogus logins against a real server: memory and other requests stay bounded."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from api.services import Services
from domain.access import Role
from tests.api.tokens import PASSWORD, add_principal, cli_env

BURST = 60
MiB = 1024 * 1024


@dataclass
class Server:
    """A ``uvicorn`` process serving the test's store."""

    process: subprocess.Popen[bytes]
    url: str

    def memory(self, field: str) -> int:
        """A ``/proc/<pid>/status`` figure of the server process, in bytes."""
        for line in Path(f"/proc/{self.process.pid}/status").read_text().splitlines():
            if line.startswith(field + ":"):
                return int(line.split()[1]) * 1024
        raise AssertionError(f"no {field} in /proc")


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@pytest.fixture
def server(services: Services, tmp_path: Path) -> Iterator[Server]:
    """The app in its own process, as ``tumbuh serve`` runs it, on the test's store."""
    if not Path("/proc/self/status").exists():
        pytest.skip("needs /proc to read the server's memory")
    port = _free_port()
    env = os.environ | cli_env(services) | {"TUMBUH_KEY_DIR": str(tmp_path / "keys")}
    env |= {"TUMBUH_WEBHOOK_WORKER": "false", "TUMBUH_LOGIN_FAILURES_PER_ADDRESS": "100000"}
    command = [sys.executable, "-m", "uvicorn", "api.app:app_from_environment", "--factory"]
    process = subprocess.Popen([*command, "--port", str(port), "--log-level", "warning"], env=env)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if httpx.get(url + "/healthz").status_code == 200:
                break
        except httpx.TransportError:
            time.sleep(0.2)
    yield Server(process, url)
    process.terminate()
    process.wait(10)


def _bogus_login(url: str, n: int) -> httpx.Response:
    form = {"grant_type": "password", "username": f"nobody-{n}", "password": "not-a-password"}
    return httpx.post(url + "/v1/auth/token", data=form, timeout=120)


def test_a_burst_of_bogus_logins_is_refused_beyond_the_bound_and_others_are_served(
    services: Services, server: Server
) -> None:
    add_principal(services, "kader-pataruman", Role.KADER)
    form = {"grant_type": "password", "username": "kader-pataruman", "password": PASSWORD}
    answer = httpx.post(server.url + "/v1/auth/token", data=form)
    assert answer.status_code == 200, answer.text
    token = answer.json()["access_token"]
    me = {"Authorization": f"Bearer {token}"}
    _bogus_login(server.url, -1)  # Argon2's first use, and the dummy hash, before measuring
    before = server.memory("VmRSS")
    waits: list[float] = []
    stop = threading.Event()

    def ask_me() -> None:
        while not stop.is_set():
            started = time.perf_counter()
            httpx.get(server.url + "/v1/me", headers=me, timeout=120).raise_for_status()
            waits.append(time.perf_counter() - started)
            time.sleep(0.05)

    watcher = threading.Thread(target=ask_me)
    watcher.start()
    with ThreadPoolExecutor(BURST) as pool:
        answers = list(pool.map(lambda n: _bogus_login(server.url, n), range(BURST)))
    stop.set()
    watcher.join()
    grown = server.memory("VmHWM") - before

    statuses = sorted({a.status_code for a in answers})
    busy = [a for a in answers if a.status_code == 503]
    assert statuses == [400, 503]
    assert all(a.headers["retry-after"] == "1" for a in busy)
    assert all(a.json()["error"] == "temporarily_unavailable" for a in busy)
    assert grown < 200 * MiB, f"the server grew by {grown / MiB:.0f} MiB"
    assert max(waits) < 4.0, f"GET /v1/me waited {max(waits):.1f} s"
