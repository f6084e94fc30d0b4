"""What a measurement may be: sex, position, age and the ranges refused as absurd."""

from __future__ import annotations

from datetime import date
from enum import StrEnum

from domain.fact import DomainError
from domain.growth.rules import HEAD_RANGE_CM, LENGTH_RANGE_CM, MUAC_RANGE_CM, WEIGHT_RANGE_KG


class Sex(StrEnum):
    """The child's sex as the WHO standards separate it; built from "M" or "F" too."""

    MALE = "M"
    FEMALE = "F"


class Position(StrEnum):
    """How length/height was measured: lying (recumbent length) or standing (height)."""

    LYING = "lying"
    STANDING = "standing"


class GrowthInputError(DomainError):
    """A measurement outside what a child under five can be: refused, naming field and range."""

    code = "growth-input"


def to_sex(value: Sex | str) -> Sex:
    """The Sex for ``value``, or a GrowthInputError naming the allowed values."""
    if isinstance(value, Sex):
        return value
    try:
        return Sex(value)
    except ValueError:
        raise GrowthInputError("sex must be 'M' or 'F'", field="sex") from None


def to_position(value: Position | str | None) -> Position | None:
    """The Position for ``value``; None means the position was not recorded."""
    if value is None or isinstance(value, Position):
        return value
    try:
        return Position(value)
    except ValueError:
        raise GrowthInputError(
            "position must be 'lying', 'standing' or absent", field="position"
        ) from None


def resolve_age_days(
    age_days: int | None,
    birth_date: date | None,
    measured_on: date | None,
    today: date | None,
) -> int:
    """Age in days from ``age_days`` or from the two dates, refusing impossible dates."""
    if today is not None:
        _not_after(measured_on, today, "measured_on")
        _not_after(birth_date, today, "birth_date")
    if birth_date is not None:
        if measured_on is None:
            raise GrowthInputError("measured_on is required with birth_date", field="measured_on")
        from_dates = (measured_on - birth_date).days
        if from_dates < 0:
            raise GrowthInputError("measured_on must not be before birth_date", field="measured_on")
        if age_days is not None and age_days != from_dates:
            raise GrowthInputError(
                f"age_days disagrees with the dates ({from_dates} days)", field="age_days"
            )
        return from_dates
    if age_days is None:
        raise GrowthInputError("give age_days, or birth_date and measured_on", field="age_days")
    if not isinstance(age_days, int) or isinstance(age_days, bool) or age_days < 0:
        raise GrowthInputError("age_days must be a whole number >= 0", field="age_days")
    return age_days


def _not_after(day: date | None, today: date, field: str) -> None:
    if day is not None and day > today:
        raise GrowthInputError(f"{field} must not be after {today.isoformat()}", field=field)


RANGE_RULES: dict[str, tuple[tuple[float, float], str]] = {
    "weight_kg": (WEIGHT_RANGE_KG, "weight_kg must be {low:g}-{high:g} kg"),
    "length_cm": (LENGTH_RANGE_CM, "length_cm must be {low:g}-{high:g} cm"),
    "muac_cm": (MUAC_RANGE_CM, "muac_cm must be {low:g}-{high:g} cm"),
    "head_cm": (HEAD_RANGE_CM, "head_cm must be {low:g}-{high:g} cm"),
}
"""Field -> (allowed range, message); both bounds are allowed."""


def range_error(field: str, where: str = "") -> GrowthInputError:
    """The error for ``field`` out of its allowed range (``where`` locates a row in bulk input)."""
    (low, high), message = RANGE_RULES[field]
    return GrowthInputError(message.format(low=low, high=high) + where, field=field)


def check_measurements(
    weight_kg: float | None, length_cm: float | None, muac_cm: float | None
) -> None:
    """Refuse absurd measurements (NaN included); implausible ones are scored and flagged."""
    if weight_kg is not None and not WEIGHT_RANGE_KG[0] <= weight_kg <= WEIGHT_RANGE_KG[1]:
        raise range_error("weight_kg")
    if length_cm is not None and not LENGTH_RANGE_CM[0] <= length_cm <= LENGTH_RANGE_CM[1]:
        raise range_error("length_cm")
    if muac_cm is not None and not MUAC_RANGE_CM[0] <= muac_cm <= MUAC_RANGE_CM[1]:
        raise range_error("muac_cm")
