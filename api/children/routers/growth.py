"""The growth calculator for third-party apps: WHO z-scores and curves, nothing stored.

Any authenticated caller may use it, whatever its role or scopes: it reads and stores no
data of the programme (the answer depends only on the request and the WHO tables), and
the integrators it is for hold only the scopes granted to them.
"""

from __future__ import annotations

from typing import Annotated, Literal

import numpy as np
import numpy.typing as npt
from fastapi import APIRouter, Path, Query, Response
from pydantic import BaseModel, Field, ValidationInfo, field_validator
from pydantic_core import PydanticCustomError

from api.identity.access import CurrentPrincipal
from api.web.kit import answer_from, example, today
from api.web.responses import problems
from domain.fact import NotFound
from domain.growth import (
    RULE_VERSION,
    TABLE_SOURCE,
    Assessment,
    Indicator,
    Position,
    Sex,
    StandardCurves,
    assess,
    standard_curves,
)
from domain.values import AgeDays, Day, Kilograms, LengthCm, MuacCm, StrictBool

router = APIRouter(tags=["growth"])
_CURVES_CACHE = "private, max-age=86400"  # the curves change only with the table source
_INDICATORS = [indicator.value for indicator in Indicator]


class AssessmentRequest(BaseModel):
    """One measurement: age as ``age_days`` or as ``birth_date`` with ``measured_on``."""

    model_config = example(
        {
            "sex": "M",
            "age_days": 683,
            "weight_kg": 10.4,
            "length_cm": 84.8,
            "position": "lying",
            "oedema": False,
        }
    )

    sex: Sex = Field(description="M (laki-laki) or F (perempuan).")
    birth_date: Day | None = Field(None, description="Date of birth; give it or age_days.")
    measured_on: Day | None = Field(
        None, description="Date of the measurement; required with birth_date, not after today."
    )
    age_days: AgeDays | None = Field(
        None,
        validate_default=True,
        description="Age in days at the measurement; give it or birth_date, not both.",
    )
    weight_kg: Kilograms | None = Field(None, description="Weight.")
    length_cm: LengthCm | None = Field(None, description="Length (lying) or height (standing).")
    position: Position | None = Field(
        None, description="How length_cm was measured; null when not recorded."
    )
    oedema: StrictBool = Field(False, description="Bilateral pitting oedema.")
    muac_cm: MuacCm | None = Field(None, description="Mid-upper arm circumference (LiLA).")

    @field_validator("age_days")
    @classmethod
    def _one_age(cls, age_days: int | None, info: ValidationInfo) -> int | None:
        """Exactly one of age_days and birth_date (unless birth_date itself is bad)."""
        if "birth_date" not in info.data:
            return age_days
        given_birth_date = info.data["birth_date"] is not None
        if age_days is not None and given_birth_date:
            raise PydanticCustomError("one_age", "give age_days or birth_date, not both")
        if age_days is None and not given_birth_date:
            raise PydanticCustomError("one_age", "give age_days, or birth_date with measured_on")
        return age_days


class CategoryAnswer(BaseModel):
    """A Permenkes 2/2020 category."""

    code: str = Field(description="Stable code in English snake case.")
    label: str = Field(description="Indonesian label, verbatim from Permenkes 2/2020.")
    name: str = Field(description="English name.")


class AssessmentAnswer(BaseModel):
    """WHO z-scores (unrounded; null when not computed), flags and Permenkes categories."""

    haz: float | None = Field(description="Length/height-for-age z (PB/U, TB/U).")
    waz: float | None = Field(description="Weight-for-age z (BB/U).")
    whz: float | None = Field(description="Weight-for-length/height z (BB/PB, BB/TB).")
    baz: float | None = Field(description="BMI-for-age z (IMT/U).")
    acz: float | None = Field(description="Arm-circumference-for-age z, from 91 days.")
    flags: list[str] = Field(
        description="Indicators whose z is biologically implausible, sorted; their z is "
        "kept but the matching booleans are null."
    )
    categories: dict[str, CategoryAnswer] = Field(
        description="Indicator (haz, waz, whz, baz) -> its category, for every z present."
    )
    adjusted_length_cm: float | None = Field(description="Length/height after the 0.7 cm rule.")
    bmi: float | None = Field(description="Weight / (adjusted length in m)^2.")
    age_days: int = Field(description="Age in days.")
    age_months: int = Field(description="Age in completed months.")
    within_standards: bool = Field(description="Under 60.0 months, where z-scores exist.")
    stunted: bool | None = Field(description="HAZ < -2; null if HAZ is missing or flagged.")
    severely_stunted: bool | None = Field(description="HAZ < -3.")
    wasted: bool | None = Field(description="WHZ < -2, or oedema.")
    severely_wasted: bool | None = Field(description="WHZ < -3, or oedema.")
    underweight: bool | None = Field(description="WAZ < -2.")
    rule_version: str = Field(description="Changes whenever a rule or cut-off changes.")
    table_source: str = Field(description="Where the WHO LMS tables come from.")

    @classmethod
    def of(cls, a: Assessment) -> AssessmentAnswer:
        """The answer for an assessment."""
        categories = {
            k: CategoryAnswer(code=c.code, label=c.label, name=c.name)
            for k, c in a.categories.items()
        }
        return answer_from(
            cls,
            a,
            flags=sorted(a.flags),
            categories=categories,
            rule_version=RULE_VERSION,
            table_source=TABLE_SOURCE,
        )


class CurvesAnswer(BaseModel):
    """The WHO curves of one indicator: at each x, the measurement on each SD line."""

    indicator: Indicator
    sex: Sex
    x_unit: Literal["day", "cm"] = Field(description="x is age in days, or length/height.")
    x: list[float]
    sd3neg: list[float] = Field(description="-3 SD, one value per x (3 decimals).")
    sd2neg: list[float] = Field(description="-2 SD.")
    sd1neg: list[float] = Field(description="-1 SD.")
    sd0: list[float] = Field(description="The median.")
    sd1: list[float] = Field(description="+1 SD.")
    sd2: list[float] = Field(description="+2 SD.")
    sd3: list[float] = Field(description="+3 SD.")
    table_source: str

    @classmethod
    def of(cls, c: StandardCurves) -> CurvesAnswer:
        """The answer for the curves, rounded to 3 decimals as WHO publishes them."""
        unit: Literal["day", "cm"] = "cm" if c.x_unit == "cm" else "day"
        return cls(
            indicator=c.indicator,
            sex=c.sex,
            x_unit=unit,
            x=_column(c.x),
            sd3neg=_column(c.sd[-3]),
            sd2neg=_column(c.sd[-2]),
            sd1neg=_column(c.sd[-1]),
            sd0=_column(c.sd[0]),
            sd1=_column(c.sd[1]),
            sd2=_column(c.sd[2]),
            sd3=_column(c.sd[3]),
            table_source=TABLE_SOURCE,
        )


def _column(values: npt.NDArray[np.float64]) -> list[float]:
    return [round(float(v), 3) for v in values]


@router.post(
    "/v1/growth/assessments",
    response_model=AssessmentAnswer,
)
def assess_measurement(body: AssessmentRequest, caller: CurrentPrincipal) -> AssessmentAnswer:
    """Score one measurement of a child under five (WHO 2006, Permenkes 2/2020); nothing stored.

    Absurd values answer 422 naming the field; values in range but biologically implausible
    are scored and flagged.
    """
    return AssessmentAnswer.of(assess(**dict(body), today=today()))


@router.get(
    "/v1/growth/standards/{indicator}",
    response_model=CurvesAnswer,
    responses=problems(404),
)
def growth_standard(
    indicator: Annotated[
        str,
        Path(
            description="One of: " + ", ".join(_INDICATORS), json_schema_extra={"enum": _INDICATORS}
        ),
    ],
    sex: Annotated[Sex, Query(description="M or F.")],
    response: Response,
    caller: CurrentPrincipal,
) -> CurvesAnswer:
    """The WHO -3 ... +3 SD curves of one indicator, by day of age or by cm, for charts."""
    response.headers["Cache-Control"] = _CURVES_CACHE
    return CurvesAnswer.of(standard_curves(_indicator(indicator), sex))


def _indicator(name: str) -> Indicator:
    """The indicator named ``name``, or 404 listing the valid ones (not echoing the input)."""
    try:
        return Indicator(name)
    except ValueError:
        valid = ", ".join(_INDICATORS)
        raise NotFound(f"there is no such growth standard; the standards are {valid}") from None
