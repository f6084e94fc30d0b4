"""The issue's worked example, as the domain takes it: a boy of 683 days, 10.4 kg, 84.8 cm
measured lying, no oedema."""

from __future__ import annotations

from typing import Any, Final

from domain.growth import Position, Sex

ISSUE_EXAMPLE: Final[dict[str, Any]] = {
    "sex": Sex.MALE,
    "age_days": 683,
    "weight_kg": 10.4,
    "length_cm": 84.8,
    "position": Position.LYING,
    "oedema": False,
}
