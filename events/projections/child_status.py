"""A child's assessments and status, as the child read model stores them: each
measurement assessed with ``domain.growth.assess``, the status from the counted ones.

The "new stunting case" follows docs/figures.md: the latest valid HAZ is < -2 and the
previous valid HAZ was >= -2 or there was none.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

import orjson

from domain.child import events as e
from domain.growth import RULE_VERSION, Assessment, GrowthInputError
from events.projections.child_tables import Json, loads


def reassess(kid: Json, mine: list[Json], dirty: set[str]) -> None:
    for row in mine:
        if row["event_id"] in dirty:
            row["assessment"] = _assessment_json(kid, row)
    counted = sorted(
        (m for m in mine if m["state"] != "voided"), key=lambda m: (m["measured_on"], m["position"])
    )
    kid.update(_summary(counted))


def _assessment_json(kid: Json, row: Json) -> str | None:
    values = e.Measurement.model_validate_json(row["measurement"])
    scored = _assessed(kid["sex"], kid["birth_date"], values)
    return None if scored is None else orjson.dumps(scored).decode()


def _assessed(sex: str, birth_date: date, values: e.Measurement) -> Json | None:
    try:
        scored = values.assessed(sex, birth_date)
    except GrowthInputError:  # a corrected birth date may leave a measurement unscorable
        return None
    return assessment_answer(scored)


def written_measurement(
    event_id: str, state: str, sex: str, birth_date: date, values: e.Measurement
) -> Json:
    """A measurement just recorded or corrected as ``measurement_of`` would read it back:
    the row's fields an answer shows, computed as ``apply`` computed the stored row (same
    values, same child, same rule), so the writer's answer needs no second read."""
    return {
        "event_id": event_id,
        "state": state,
        "measurement": values.model_dump(mode="json"),
        "assessment": _assessed(sex, birth_date, values),
    }


def assessment_answer(scored: Assessment) -> Json:
    """The public form of an assessment: z-scores, flags, categories and status booleans."""
    return {
        "rule_version": RULE_VERSION,
        "age_days": scored.age_days,
        "age_months": scored.age_months,
        "haz": scored.haz,
        "waz": scored.waz,
        "whz": scored.whz,
        "baz": scored.baz,
        "acz": scored.acz,
        "flags": sorted(scored.flags),
        "categories": {
            k: {"code": c.code, "label": c.label, "name": c.name}
            for k, c in scored.categories.items()
        },
        "stunted": scored.stunted,
        "severely_stunted": scored.severely_stunted,
        "wasted": scored.wasted,
        "underweight": scored.underweight,
    }


def _summary(counted: Sequence[Json]) -> Json:
    """The child's status from its counted measurements, oldest first."""
    scored = [(m, loads(m["assessment"])) for m in counted]
    stunting = [(m, a["stunted"]) for m, a in scored if a and a["stunted"] is not None]
    latest, latest_assessment = scored[-1] if scored else (None, None)
    now = latest_assessment or {}
    first = next((m["measured_on"] for m, stunted in stunting if stunted), None)
    return {
        "measurement_count": len(counted),
        "latest_event_id": None if latest is None else latest["event_id"],
        "latest_measured_on": None if latest is None else latest["measured_on"],
        "latest": None if latest is None else _latest_json(latest, latest_assessment),
        "stunted": now.get("stunted"),
        "severely_stunted": now.get("severely_stunted"),
        "wasted": now.get("wasted"),
        "underweight": now.get("underweight"),
        "first_stunted_on": first,
        "rule_version": RULE_VERSION,
        "new_stunting_case": _new_case(latest, stunting),
    }


def _new_case(latest: Json | None, stunting: Sequence[tuple[Json, bool]]) -> bool:
    """Incident or first measured stunted, decided by the latest measurement."""
    if latest is None or not stunting or stunting[-1][0] is not latest or not stunting[-1][1]:
        return False
    return len(stunting) == 1 or not stunting[-2][1]


def _latest_json(latest: Json, assessment: Json | None) -> str:
    values = orjson.loads(latest["measurement"])
    return orjson.dumps(
        {"event_id": latest["event_id"], **values, "assessment": assessment}
    ).decode()
