"""The growth calculator over HTTP: the domain's answer, bad input as 422, WHO curves."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient

from domain.access import Role
from domain.growth import RULE_VERSION, TABLE_SOURCE, Indicator, Sex, assess
from tests.api.tokens import Minter, bearer
from tests.support.growth import ISSUE_EXAMPLE

ASSESSMENTS = "/v1/growth/assessments"
EXAMPLE: dict[str, Any] = {
    "sex": "M",
    "age_days": 683,
    "weight_kg": 10.4,
    "length_cm": 84.8,
    "position": "lying",
}
SD_COLUMNS = ("sd3neg", "sd2neg", "sd1neg", "sd0", "sd1", "sd2", "sd3")


@pytest.fixture
def token(mint: Minter) -> str:
    """A kader's token: any authenticated caller may use the calculator."""
    return mint(Role.KADER)


def refused_fields(response: httpx.Response) -> set[str]:
    """The fields a 422 problem+json names."""
    assert response.status_code == 422
    assert response.headers["content-type"] == "application/problem+json"
    return {problem["field"] for problem in response.json()["errors"]}


def message_for(response: httpx.Response, field: str) -> str:
    """The message of the problem naming ``field``."""
    messages = [p["message"] for p in response.json()["errors"] if p["field"] == field]
    assert messages, f"no problem names {field}"
    return str(messages[0])


def later(days: int) -> str:
    """A date ``days`` after today, as ISO text."""
    return (datetime.now(UTC) + timedelta(days=days)).date().isoformat()


def test_the_issue_example_answers_exactly_what_the_domain_computes(
    client: TestClient, token: str
) -> None:
    expected = assess(**ISSUE_EXAMPLE)

    response = client.post(ASSESSMENTS, json=EXAMPLE, headers=bearer(token))

    assert response.status_code == 200
    body = response.json()
    for name in ("haz", "waz", "whz", "baz", "acz", "adjusted_length_cm", "bmi", "age_days"):
        assert body[name] == getattr(expected, name), name
    for name in ("age_months", "stunted", "severely_stunted", "wasted", "underweight"):
        assert body[name] == getattr(expected, name), name
    assert body["flags"] == sorted(expected.flags)
    assert body["categories"] == {
        k: {"code": c.code, "label": c.label, "name": c.name}
        for k, c in expected.categories.items()
    }
    assert body["rule_version"] == RULE_VERSION
    assert body["table_source"] == TABLE_SOURCE


def test_the_example_is_normal_in_indonesian_and_english(client: TestClient, token: str) -> None:
    response = client.post(ASSESSMENTS, json=EXAMPLE, headers=bearer(token))

    categories = response.json()["categories"]
    assert categories["haz"] == {"code": "normal_height", "label": "Normal", "name": "Normal"}
    assert categories["whz"]["label"] == "Gizi baik"
    assert response.json()["age_months"] == 22


def test_birth_date_and_measurement_date_give_the_age_in_days(
    client: TestClient, token: str
) -> None:
    by_dates = {
        **EXAMPLE,
        "age_days": None,
        "birth_date": "2023-01-01",
        "measured_on": "2024-11-14",
    }

    response = client.post(ASSESSMENTS, json=by_dates, headers=bearer(token))
    by_age = client.post(ASSESSMENTS, json=EXAMPLE, headers=bearer(token))

    assert response.status_code == 200
    assert response.json()["age_days"] == 683
    assert response.json() == by_age.json()


def test_both_birth_date_and_age_days_are_refused_naming_age_days(
    client: TestClient, token: str
) -> None:
    both = {**EXAMPLE, "birth_date": "2023-01-01", "measured_on": "2024-11-14"}

    response = client.post(ASSESSMENTS, json=both, headers=bearer(token))

    assert refused_fields(response) == {"age_days"}
    assert "not both" in message_for(response, "age_days")


def test_neither_birth_date_nor_age_days_is_refused_naming_age_days(
    client: TestClient, token: str
) -> None:
    neither = {k: v for k, v in EXAMPLE.items() if k != "age_days"}

    response = client.post(ASSESSMENTS, json=neither, headers=bearer(token))

    assert refused_fields(response) == {"age_days"}
    assert "birth_date" in message_for(response, "age_days")


@pytest.mark.parametrize(
    ("change", "field", "words"),
    [
        ({"weight_kg": 0}, "weight_kg", "0.2"),
        ({"weight_kg": 1e-320}, "weight_kg", "0.2"),
        ({"weight_kg": 60}, "weight_kg", "58"),
        ({"weight_kg": -3}, "weight_kg", "0.2"),
        ({"weight_kg": True}, "weight_kg", "number"),
        ({"length_cm": 19}, "length_cm", "20"),
        ({"length_cm": 151}, "length_cm", "150"),
        ({"muac_cm": 2}, "muac_cm", "3"),
        ({"age_days": -1}, "age_days", "0"),
        ({"age_days": 10.5}, "age_days", "integer"),
        (
            {"age_days": None, "birth_date": "2024-05-10", "measured_on": "2024-05-09"},
            "measured_on",
            "before birth_date",
        ),
        (
            {"age_days": None, "birth_date": "2024-05-10", "measured_on": later(3)},
            "measured_on",
            "after",
        ),
        (
            {"age_days": None, "birth_date": later(3), "measured_on": later(4)},
            "measured_on",
            "after",
        ),
        ({"age_days": None, "birth_date": "2024-05-10"}, "measured_on", "required"),
        ({"sex": "X"}, "sex", "'M'"),
        ({"position": "sitting"}, "position", "'lying'"),
        ({"weight_kg": "heavy"}, "weight_kg", "number"),
        ({"birth_date": "2024-02-30", "age_days": None}, "birth_date", "date"),
        ({"name": "a child's name"}, "name", "not permitted"),
    ],
)
def test_each_bad_field_answers_422_problem_json_naming_it(
    client: TestClient, token: str, change: dict[str, Any], field: str, words: str
) -> None:
    body = {**EXAMPLE, **change}

    response = client.post(ASSESSMENTS, json=body, headers=bearer(token))

    assert refused_fields(response) == {field}
    assert words in message_for(response, field)
    assert response.json()["status"] == 422


def test_implausible_values_in_range_are_scored_and_flagged(client: TestClient, token: str) -> None:
    heavy = {"sex": "M", "age_days": 365, "weight_kg": 18, "length_cm": 75, "position": "lying"}

    response = client.post(ASSESSMENTS, json=heavy, headers=bearer(token))

    assert response.status_code == 200
    body = response.json()
    assert body["flags"] == ["baz", "waz", "whz"]
    assert body["waz"] > 5
    assert body["underweight"] is None
    assert body["wasted"] is None


def test_oedema_scores_no_weight_and_counts_as_severely_wasted(
    client: TestClient, token: str
) -> None:
    with_oedema = {**EXAMPLE, "oedema": True}

    response = client.post(ASSESSMENTS, json=with_oedema, headers=bearer(token))

    body = response.json()
    assert (body["waz"], body["whz"], body["baz"]) == (None, None, None)
    assert body["wasted"] is True
    assert body["categories"]["whz"]["label"] == "Gizi buruk"


def test_an_integrator_without_any_scope_may_use_the_calculator(
    client: TestClient, mint: Minter
) -> None:
    integrator = mint(Role.INTEGRATOR, scopes=[])

    response = client.post(ASSESSMENTS, json=EXAMPLE, headers=bearer(integrator))
    curves = client.get("/v1/growth/standards/wfa?sex=F", headers=bearer(integrator))

    assert response.status_code == 200
    assert curves.status_code == 200


@pytest.mark.parametrize(
    ("method", "path"),
    [("POST", ASSESSMENTS), ("GET", "/v1/growth/standards/lhfa?sex=M")],
)
def test_without_a_token_the_calculator_answers_401(
    client: TestClient, method: str, path: str
) -> None:
    response = client.request(method, path, json=EXAMPLE if method == "POST" else None)

    assert response.status_code == 401
    assert response.headers["content-type"] == "application/problem+json"
    assert response.headers["www-authenticate"].startswith("Bearer")


@pytest.mark.parametrize("sex", list(Sex))
@pytest.mark.parametrize("indicator", list(Indicator))
def test_each_standard_has_sd_columns_rising_from_minus_3_to_plus_3(
    client: TestClient, token: str, indicator: Indicator, sex: Sex
) -> None:
    path = f"/v1/growth/standards/{indicator.value}?sex={sex.value}"

    response = client.get(path, headers=bearer(token))

    assert response.status_code == 200
    body = response.json()
    assert (body["indicator"], body["sex"]) == (indicator.value, sex.value)
    assert body["x"] == sorted(set(body["x"]))
    columns = [body[name] for name in SD_COLUMNS]
    assert all(len(column) == len(body["x"]) for column in columns)
    for row in zip(*columns, strict=True):
        assert list(row) == sorted(set(row))
    assert "max-age" in response.headers["cache-control"]


def test_curves_are_by_day_or_by_cm_as_the_who_tables_are(client: TestClient, token: str) -> None:
    by_age = client.get("/v1/growth/standards/wfa?sex=M", headers=bearer(token)).json()
    by_length = client.get("/v1/growth/standards/wfl?sex=M", headers=bearer(token)).json()

    assert (by_age["x_unit"], by_age["x"][0], by_age["x"][-1]) == ("day", 0, 1826)
    assert (by_length["x_unit"], by_length["x"][0], by_length["x"][-1]) == ("cm", 45, 110)
    assert by_length["x"][1] == 45.1


def test_an_unknown_indicator_answers_404_listing_the_valid_ones(
    client: TestClient, token: str
) -> None:
    response = client.get("/v1/growth/standards/hcfa?sex=M", headers=bearer(token))

    assert response.status_code == 404
    assert response.headers["content-type"] == "application/problem+json"
    assert all(indicator.value in response.json()["detail"] for indicator in Indicator)


@pytest.mark.parametrize("query", ["?sex=X", ""])
def test_a_bad_or_missing_sex_on_the_curves_answers_422_naming_it(
    client: TestClient, token: str, query: str
) -> None:
    response = client.get(f"/v1/growth/standards/wfa{query}", headers=bearer(token))

    assert refused_fields(response) == {"sex"}
