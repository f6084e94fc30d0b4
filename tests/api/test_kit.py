"""The kit's answers never read a secret or a person's data by its name alone."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from pydantic import BaseModel

from api.web.kit import answer_from


@dataclass(frozen=True)
class _Held:
    id: str = "s1"
    secret: str = "hmac-key"
    personal: str = "Demo Nama Pribadi"


class _Answer(BaseModel):
    id: str
    secret: str | None = None
    personal: str | None = None


def test_an_answer_with_a_secret_or_personal_field_must_be_given_it() -> None:
    with pytest.raises(TypeError, match=r"give \['personal', 'secret'\] explicitly"):
        answer_from(_Answer, _Held())


def test_fields_given_explicitly_are_what_the_answer_shows() -> None:
    shown = answer_from(_Answer, _Held(), secret=None, personal=None)

    assert shown == _Answer(id="s1")
