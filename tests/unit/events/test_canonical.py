"""The fast canonical encoder writes exactly what RFC 8785 prescribes."""

from __future__ import annotations

import rfc8785
from hypothesis import given, settings
from hypothesis import strategies as st

from events.chain import BodyTemplate, canonical, link_hash
from events.envelope import JsonValue

_scalars = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**53) + 1, max_value=2**53 - 1)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text()
)
json_values: st.SearchStrategy[JsonValue] = st.recursive(
    _scalars,
    lambda inner: st.lists(inner, max_size=5) | st.dictionaries(st.text(), inner, max_size=5),
    max_leaves=30,
)


@given(json_values)
def test_canonical_equals_the_reference_encoder_for_any_json_value(value: JsonValue) -> None:
    expected = rfc8785.dumps(value)

    actual = canonical(value)

    assert actual == expected


@given(st.dictionaries(st.text(), json_values, max_size=4), st.integers(1, 10**9))
def test_a_filled_template_equals_the_canonical_whole(
    payload: dict[str, JsonValue], position: int
) -> None:
    content: dict[str, JsonValue] = {
        "event_id": "e",
        "event_type": "t",
        "meta": {},
        "payload": payload,
        "personal": None,
        "occurred_at": "2025-01-01T00:00:00.000000Z",
        "schema_version": 1,
        "stream_id": "s",
        "stream_type": "x",
        "wilayah": None,
    }
    locked: dict[str, int | str] = {
        "position": position,
        "prev_hash": "ab" * 32,
        "recorded_at": "2025-01-01T00:00:00.000001Z",
        "stream_version": 3,
    }

    body = BodyTemplate(content).fill(locked)

    assert body == rfc8785.dumps({**content, **locked})


def test_integral_floats_are_written_as_integers() -> None:
    assert canonical({"w": 9.0, "h": -0.0}) == b'{"h":0,"w":9}'


def test_large_and_tiny_floats_use_the_ecmascript_form() -> None:
    assert canonical([1e21, 1e-7, 123456789012345680000.0]) == rfc8785.dumps(
        [1e21, 1e-7, 123456789012345680000.0]
    )


def test_the_link_hash_covers_the_previous_hash_and_the_body() -> None:
    first = link_hash("0" * 64, b"{}")

    assert first != link_hash("1" * 64, b"{}")
    assert first != link_hash("0" * 64, b'{"a":1}')
    assert len(first) == 64


@settings(max_examples=2000)
@given(st.floats(min_value=-1e17, max_value=1e17, allow_nan=False) | st.floats(-1e-3, 1e-3))
def test_a_float_on_either_side_of_the_fast_ranges_edges_is_written_as_the_reference_writes_it(
    number: float,
) -> None:
    assert canonical({"x": number, "y": [number / 3]}) == rfc8785.dumps(
        {"x": number, "y": [number / 3]}
    )


@given(st.text(alphabet=st.characters(codec="utf-8") | st.just("\x00"), max_size=40))
def test_a_template_is_exact_whatever_a_field_holds_even_a_nul_before_a_member_name(
    text: str,
) -> None:
    content: dict[str, JsonValue] = {"payload": {"a": "\x00" + text, "b": f"\x00{text}:position"}}
    locked: dict[str, int | str] = {
        "position": 5,
        "prev_hash": "cd" * 32,
        "recorded_at": "2026-01-01T00:00:00.000001Z",
        "stream_version": 1,
    }

    assert BodyTemplate(content).fill(locked) == rfc8785.dumps({**content, **locked})


def test_keys_beyond_the_basic_plane_sort_by_their_utf16_code_units() -> None:
    # U+1F600 is D83D DE00 in UTF-16: before U+E000, though after it by code point.
    value = {"\ue000": 1, "\U0001f600": 2, "a": 3}

    assert canonical(value) == rfc8785.dumps(value)
    assert canonical(value).index("\U0001f600".encode()) < canonical(value).index("\ue000".encode())
