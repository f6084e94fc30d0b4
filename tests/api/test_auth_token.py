"""The token endpoint speaks RFC 6749: grants, errors a client library understands, refresh."""

from __future__ import annotations

import operator
import statistics
import time
from collections.abc import Callable
from datetime import timedelta
from functools import partial

import httpx
import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from api.services import Services, build_services
from domain.access import Role
from domain.principal.commands import Disable
from events import timefmt
from tests.api.tokens import PASSWORD, add_principal, bearer

TOKEN = "/v1/auth/token"


def login(
    client: TestClient, username: str, password: str = PASSWORD, **form: str
) -> httpx.Response:
    data = {"grant_type": "password", "username": username, "password": password, **form}
    response: httpx.Response = client.post(TOKEN, data=data)
    return response


def refresh(client: TestClient, token: str, **form: str) -> httpx.Response:
    data = {"grant_type": "refresh_token", "refresh_token": token, **form}
    response: httpx.Response = client.post(TOKEN, data=data)
    return response


def assert_oauth_error(response: httpx.Response, status: int, error: str) -> None:
    assert response.status_code == status
    assert response.headers["content-type"] == "application/json"
    assert response.json()["error"] == error
    assert response.json()["error_description"]


def test_a_user_logs_in_with_a_password_and_gets_both_tokens(
    client: TestClient, services: Services
) -> None:
    add_principal(services, "kader-pataruman", Role.KADER)

    response = login(client, "kader-pataruman")

    assert response.status_code == 200
    body = response.json()
    assert set(body) == {"access_token", "token_type", "expires_in", "scope", "refresh_token"}
    assert body["token_type"] == "bearer"
    assert body["expires_in"] == 900
    assert "pii:read" in body["scope"].split()
    assert response.headers["cache-control"] == "no-store"
    me = client.get("/v1/me", headers=bearer(body["access_token"])).json()
    assert me["wilayah"] == ["32.79.02.1001"]


def test_a_login_may_ask_for_fewer_scopes(client: TestClient, services: Services) -> None:
    add_principal(services, "kader-pataruman", Role.KADER)

    response = login(client, "kader-pataruman", scope="children:read")

    assert response.json()["scope"] == "children:read"


@pytest.mark.parametrize(
    ("form", "status", "error"),
    [
        pytest.param({"scope": "events:read"}, 400, "invalid_scope", id="a-scope-not-held"),
        pytest.param(
            {"client_id": "any-name-at-all"}, 401, "invalid_client", id="an-unregistered-client"
        ),
    ],
)
def test_a_password_grant_asking_for_what_it_may_not_have_gets_its_oauth_error(
    client: TestClient, services: Services, form: dict[str, str], status: int, error: str
) -> None:
    add_principal(services, "kader-pataruman", Role.KADER)

    response = login(client, "kader-pataruman", **form)

    assert_oauth_error(response, status, error)


def test_a_wrong_password_and_an_unknown_user_answer_alike(
    client: TestClient, services: Services
) -> None:
    add_principal(services, "kader-pataruman", Role.KADER)

    wrong = login(client, "kader-pataruman", "not-the-password")
    unknown = login(client, "nobody-here")

    assert_oauth_error(wrong, 400, "invalid_grant")
    assert wrong.json() == unknown.json()


def test_a_wrong_password_and_an_unknown_user_take_similar_time(
    client: TestClient, services: Services
) -> None:
    for n in range(5):
        add_principal(services, f"kader-{n}", Role.KADER)
    login(client, "warm-up-user")  # the first request pays for warming up

    # Interleaved, so a machine that slows down meanwhile slows both alike.
    wrong, unknown = [], []
    for n in range(5):
        wrong.append(_timed(partial(login, client, f"kader-{n}", "not-the-password")))
        unknown.append(_timed(partial(login, client, f"nobody-{n}")))

    ratio = statistics.median(wrong) / statistics.median(unknown)
    assert 0.5 < ratio < 2.0


def _timed(call: Callable[[], object]) -> float:
    start = time.perf_counter()
    call()
    return time.perf_counter() - start


def test_repeated_failures_for_one_username_are_slowed_down(
    client: TestClient, services: Services
) -> None:
    add_principal(services, "kader-pataruman", Role.KADER)
    for _ in range(4):
        login(client, "kader-pataruman", "not-the-password")

    blocked = login(client, "kader-pataruman")

    assert_oauth_error(blocked, 429, "slow_down")
    assert int(blocked.headers["retry-after"]) >= 1
    assert login(client, "another-user").json()["error_description"].startswith("the credentials")


def test_a_disabled_user_cannot_log_in(client: TestClient, services: Services) -> None:
    add_principal(services, "kader-pataruman", Role.KADER)
    services.principals.change("kader-pataruman", Disable(at=timefmt.utc_now()), {})

    response = login(client, "kader-pataruman")

    assert_oauth_error(response, 400, "invalid_grant")


def test_a_client_authenticates_with_http_basic(client: TestClient, services: Services) -> None:
    add_principal(services, "bkkbn-exchange", Role.BKKBN, ["32.79"])

    response = client.post(
        TOKEN, data={"grant_type": "client_credentials"}, auth=("bkkbn-exchange", PASSWORD)
    )

    assert response.status_code == 200
    assert response.json()["scope"] == "areas:read exchange:read exchange:write"
    assert "refresh_token" not in response.json()
    me = client.get("/v1/me", headers=bearer(response.json()["access_token"])).json()
    assert me["client"] == "bkkbn-exchange"


def test_a_client_may_send_its_credentials_in_the_form(
    client: TestClient, services: Services
) -> None:
    add_principal(services, "bkkbn-exchange", Role.BKKBN, ["32.79"])

    response = client.post(
        TOKEN,
        data={
            "grant_type": "client_credentials",
            "client_id": "bkkbn-exchange",
            "client_secret": PASSWORD,
        },
    )

    assert response.status_code == 200


@pytest.mark.parametrize("secret", ["wrong-secret-entirely", None])
def test_bad_client_credentials_are_invalid_client_with_a_challenge(
    client: TestClient, services: Services, secret: str | None
) -> None:
    add_principal(services, "bkkbn-exchange", Role.BKKBN, ["32.79"])
    auth = None if secret is None else ("bkkbn-exchange", secret)

    response = client.post(TOKEN, data={"grant_type": "client_credentials"}, auth=auth)

    assert_oauth_error(response, 401, "invalid_client")
    assert response.headers["www-authenticate"].startswith("Basic")


def test_a_user_cannot_use_the_client_grant(client: TestClient, services: Services) -> None:
    add_principal(services, "kader-pataruman", Role.KADER)

    response = client.post(
        TOKEN, data={"grant_type": "client_credentials"}, auth=("kader-pataruman", PASSWORD)
    )

    assert_oauth_error(response, 401, "invalid_client")


@pytest.mark.parametrize(
    ("form", "error"),
    [
        ({}, "invalid_request"),
        ({"grant_type": "authorization_code"}, "unsupported_grant_type"),
        ({"grant_type": "password", "username": "kader-pataruman"}, "invalid_request"),
        ({"grant_type": "refresh_token"}, "invalid_request"),
    ],
)
def test_incomplete_requests_are_refused_as_rfc_6749_says(
    client: TestClient, form: dict[str, str], error: str
) -> None:
    response = client.post(TOKEN, data=form)

    assert_oauth_error(response, 400, error)


def test_an_overlong_username_or_client_id_is_refused_without_harm(
    client: TestClient, services: Services
) -> None:
    add_principal(services, "kader-pataruman", Role.KADER)

    long_name = login(client, "k" * 5000)
    long_client = login(client, "kader-pataruman", client_id="c" * 64)

    assert_oauth_error(long_name, 400, "invalid_grant")
    assert_oauth_error(long_client, 400, "invalid_request")


def test_a_refresh_token_is_rotated_on_every_use(client: TestClient, services: Services) -> None:
    add_principal(services, "kader-pataruman", Role.KADER)
    first = login(client, "kader-pataruman").json()

    second = refresh(client, first["refresh_token"])

    assert second.status_code == 200
    assert second.json()["refresh_token"] != first["refresh_token"]
    assert client.get("/v1/me", headers=bearer(second.json()["access_token"])).status_code == 200
    assert refresh(client, second.json()["refresh_token"]).status_code == 200


def test_reusing_a_refresh_token_revokes_its_whole_family(
    client: TestClient, services: Services
) -> None:
    add_principal(services, "kader-pataruman", Role.KADER)
    stolen = login(client, "kader-pataruman").json()["refresh_token"]
    owners = refresh(client, stolen).json()["refresh_token"]

    reuse = refresh(client, stolen)
    after = refresh(client, owners)

    assert_oauth_error(reuse, 400, "invalid_grant")
    assert_oauth_error(after, 400, "invalid_grant")


def test_a_refresh_may_narrow_the_scope_but_not_widen_it(
    client: TestClient, services: Services
) -> None:
    add_principal(services, "kader-pataruman", Role.KADER)
    token = login(client, "kader-pataruman", scope="children:read areas:read").json()

    wider = refresh(client, token["refresh_token"], scope="pii:read")
    narrower = refresh(
        client, login(client, "kader-pataruman").json()["refresh_token"], scope="areas:read"
    )

    assert_oauth_error(wider, 400, "invalid_scope")
    assert narrower.json()["scope"] == "areas:read"


def test_an_unknown_refresh_token_is_invalid_grant(client: TestClient) -> None:
    response = refresh(client, "made-up-refresh-token")

    assert_oauth_error(response, 400, "invalid_grant")


def test_disabling_a_user_ends_its_refresh_tokens(client: TestClient, services: Services) -> None:
    add_principal(services, "kader-pataruman", Role.KADER)
    token = login(client, "kader-pataruman").json()["refresh_token"]
    services.principals.change("kader-pataruman", Disable(at=timefmt.utc_now()), {})

    response = refresh(client, token)

    assert_oauth_error(response, 400, "invalid_grant")


def test_a_password_grant_may_name_a_registered_public_client_or_none(
    client: TestClient, services: Services
) -> None:
    add_principal(services, "kader-pataruman", Role.KADER)
    services.grants.settings = services.settings.model_copy(
        update={"public_clients": "tumbuh-field-app, posyandu-web"}
    )

    named = login(client, "kader-pataruman", client_id="tumbuh-field-app").json()
    empty = login(client, "kader-pataruman", client_id="").json()

    assert client.get("/v1/me", headers=bearer(named["access_token"])).json()["client"] == (
        "tumbuh-field-app"
    )
    assert client.get("/v1/me", headers=bearer(empty["access_token"])).json()["client"] is None


def test_refresh_tokens_end_at_the_absolute_lifetime_however_often_they_are_used(
    client: TestClient, services: Services
) -> None:
    add_principal(services, "kader-pataruman", Role.KADER)
    services.grants.settings = services.settings.model_copy(
        update={"refresh_token_ttl": 100, "refresh_token_absolute_ttl": 250}
    )
    start = timefmt.utc_now()
    services.grants.clock = lambda: start
    token = login(client, "kader-pataruman").json()["refresh_token"]

    kept = []
    for seconds in (90, 180, 240, 260):
        services.grants.clock = partial(operator.add, start, timedelta(seconds=seconds))
        answer = refresh(client, token)
        kept.append(answer.status_code)
        token = answer.json().get("refresh_token", token)

    assert kept == [200, 200, 200, 400]


def test_failed_logins_from_one_address_are_stopped_whatever_the_usernames(
    client: TestClient, services: Services
) -> None:
    add_principal(services, "kader-pataruman", Role.KADER)
    for n in range(20):
        login(client, f"sprayed-{n}", "a-common-password")

    twenty_first = login(client, "sprayed-20", "a-common-password")
    even_right = login(client, "kader-pataruman")

    assert_oauth_error(twenty_first, 400, "invalid_grant")
    assert_oauth_error(even_right, 429, "slow_down")
    assert 590 <= int(even_right.headers["retry-after"]) <= 600


def test_failed_login_counts_are_shared_by_every_worker_process(
    client: TestClient, services: Services
) -> None:
    add_principal(services, "kader-pataruman", Role.KADER)
    another_worker = build_services(services.settings)
    for _ in range(4):
        login(client, "kader-pataruman", "not-the-password")

    with TestClient(create_app(services.settings, services=another_worker)) as elsewhere:
        blocked = login(elsewhere, "kader-pataruman")
    another_worker.close()

    assert_oauth_error(blocked, 429, "slow_down")
