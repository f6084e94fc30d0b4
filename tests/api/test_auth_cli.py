"""Operators manage principals with ``tumbuh principals …`` against TUMBUH_DATABASE_URL."""

from __future__ import annotations

from fastapi.testclient import TestClient
from typer.testing import CliRunner, Result

from api.cli import app as cli
from api.services import Services
from tests.api.tokens import cli_env

PASSWORD = "a-kader-password-2025"


def tumbuh(services: Services, *args: str, stdin: str | None = None) -> Result:
    return CliRunner().invoke(cli, list(args), input=stdin, env=cli_env(services))


def add_user(
    services: Services, name: str, role: str, wilayah: str, *options: str, stdin: str
) -> Result:
    """``tumbuh principals add-user`` for ``name``, a ``role`` over ``wilayah``."""
    return tumbuh(
        services,
        "principals",
        "add-user",
        name,
        "--role",
        role,
        "--wilayah",
        wilayah,
        *options,
        stdin=stdin,
    )


def login(client: TestClient, username: str, password: str) -> int:
    form = {"grant_type": "password", "username": username, "password": password}
    status: int = client.post("/v1/auth/token", data=form).status_code
    return status


def test_add_user_reads_the_password_once_from_stdin(
    client: TestClient, services: Services
) -> None:
    result = add_user(
        services,
        "kader-pataruman",
        "kader",
        "3279021001",
        "--password-stdin",
        stdin=PASSWORD + "\n",
    )

    assert result.exit_code == 0, result.output
    assert PASSWORD not in result.output
    assert login(client, "kader-pataruman", PASSWORD) == 200
    record = services.principals.find("kader-pataruman")
    assert record is not None
    assert record.state.reach == ("32.79.02.1001",)


def test_add_user_without_stdin_prompts_twice(services: Services) -> None:
    result = add_user(
        services, "bidan-pataruman", "bidan", "32.79.02", stdin=f"{PASSWORD}\n{PASSWORD}\n"
    )

    assert result.exit_code == 0, result.output
    assert "Password:" in result.output
    assert "Repeat for confirmation:" in result.output
    assert PASSWORD not in result.output


def test_a_short_password_is_refused(services: Services) -> None:
    result = add_user(
        services, "kader-pataruman", "kader", "32.79", "--password-stdin", stdin="short\n"
    )

    assert result.exit_code == 1
    assert services.principals.find("kader-pataruman") is None


def test_add_client_prints_its_secret_once_and_the_secret_works(
    client: TestClient, services: Services
) -> None:
    result = tumbuh(
        services,
        "principals",
        "add-client",
        "bkkbn-exchange",
        "--role",
        "bkkbn",
        "--wilayah",
        "32.79",
    )
    secret = result.output.strip().splitlines()[-1]

    response = client.post(
        "/v1/auth/token", data={"grant_type": "client_credentials"}, auth=("bkkbn-exchange", secret)
    )

    assert result.exit_code == 0, result.output
    assert response.status_code == 200


def test_grant_revoke_disable_and_list(services: Services) -> None:
    add_user(services, "auditor-kota", "auditor", "32.79", "--password-stdin", stdin=PASSWORD)

    granted = tumbuh(services, "principals", "grant", "auditor-kota", "--scope", "pii:read")
    revoked = tumbuh(services, "principals", "revoke", "auditor-kota", "--scope", "events:read")
    disabled = tumbuh(services, "principals", "disable", "auditor-kota")
    listed = tumbuh(services, "principals", "list")

    assert (granted.exit_code, revoked.exit_code, disabled.exit_code) == (0, 0, 0)
    line = next(row for row in listed.output.splitlines() if row.startswith("auditor-kota"))
    assert "pii:read" in line
    assert "events:read" not in line
    assert line.endswith("DISABLED")
    assert "$argon2" not in listed.output


def test_a_refused_command_says_why_and_exits_1(services: Services) -> None:
    result = tumbuh(services, "principals", "disable", "nobody-here")

    assert result.exit_code == 1
    assert "no principal" in result.output
