"""Hypothesis strategies for the documents a JSON Schema describes (the subset pydantic writes).

Used to draw any payload a fact's model accepts from the rules the model itself states:
the schema gives the shape, the model's own validation then decides (a draw it refuses is
rejected). ``hypothesis-jsonschema`` would do this but does not run with the hypothesis this
project uses; a keyword this module does not know fails loudly rather than being ignored.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from typing import Any, Final

from hypothesis import strategies as st

Schema = dict[str, Any]
_IGNORED: Final = frozenset({"title", "description", "default", "examples"})
_KNOWN: Final = _IGNORED | {
    "$ref",
    "anyOf",
    "enum",
    "const",
    "type",
    "format",
    "pattern",
    "minLength",
    "maxLength",
    "minimum",
    "maximum",
    "exclusiveMinimum",
    "exclusiveMaximum",
    "items",
    "minItems",
    "maxItems",
    "properties",
    "required",
    "additionalProperties",
    "$defs",
}
_LONGEST_FREE_TEXT: Final = 60
# Any character but NUL, which every request refuses at the door (api.web.errors), so no fact
# holds one (PostgreSQL's text cannot), and no lone surrogate (JSON text is UTF-8).
_CHARACTERS: Final = st.characters(exclude_categories=["Cs"], exclude_characters="\x00")
_MOST_ITEMS: Final = 4
# Offsets at both ends of the range of time zones, and none.
_ZONES: Final = st.sampled_from(
    [
        UTC,
        timezone(timedelta(hours=14)),
        timezone(timedelta(hours=-12)),
        timezone(timedelta(hours=7)),
        timezone(timedelta(hours=9, minutes=30)),
    ]
)


def from_schema(schema: Schema) -> st.SearchStrategy[Any]:
    """Documents of ``schema`` (its ``$defs`` resolved)."""
    return _values(schema, schema.get("$defs", {}))


def _values(node: Schema, defs: Schema) -> st.SearchStrategy[Any]:
    unknown = set(node) - _KNOWN
    if unknown:
        raise NotImplementedError(f"schema keywords not drawn: {sorted(unknown)}")
    if "$ref" in node:
        return _values(defs[node["$ref"].rsplit("/", 1)[-1]], defs)
    if "anyOf" in node:
        return st.one_of(*[_values(n, defs) for n in node["anyOf"]])
    if "enum" in node:
        return st.sampled_from(node["enum"])
    if "const" in node:
        return st.just(node["const"])
    kind = node.get("type")
    if kind == "object":
        return _objects(node, defs)
    if kind == "array":
        items = _values(node.get("items", {"type": "string"}), defs)
        most = node.get("maxItems", _MOST_ITEMS)
        return st.lists(items, min_size=node.get("minItems", 0), max_size=min(most, _MOST_ITEMS))
    return _scalars(node, kind)


def _scalars(node: Schema, kind: str | None) -> st.SearchStrategy[Any]:
    if kind == "string":
        return _strings(node)
    if kind == "integer":
        low, high = node.get("minimum"), node.get("maximum")
        if "exclusiveMinimum" in node:
            low = node["exclusiveMinimum"] + 1
        return st.integers(low, high)
    if kind == "number":
        low = node.get("minimum", node.get("exclusiveMinimum"))
        high = node.get("maximum", node.get("exclusiveMaximum"))
        bounded = low is not None or high is not None
        return st.floats(low, high, allow_nan=not bounded, allow_infinity=not bounded)
    if kind == "boolean":
        return st.booleans()
    if kind == "null":
        return st.none()
    raise NotImplementedError(f"schema type not drawn: {kind}")


def _strings(node: Schema) -> st.SearchStrategy[str]:
    fmt = node.get("format")
    if "pattern" in node and fmt in ("date", None):
        return _matching(node)
    if fmt == "date":
        return st.dates().map(lambda d: d.isoformat())
    if fmt == "date-time":
        return st.datetimes(timezones=_ZONES).map(datetime.isoformat)
    if fmt is not None:
        raise NotImplementedError(f"string format not drawn: {fmt}")
    low = node.get("minLength", 0)
    high = node.get("maxLength", max(low, _LONGEST_FREE_TEXT))
    return st.text(_CHARACTERS, min_size=low, max_size=high)


def _matching(node: Schema) -> st.SearchStrategy[str]:
    low, high = node.get("minLength", 0), node.get("maxLength", 10_000)
    matching = st.from_regex(str(node["pattern"]), fullmatch=True)
    return matching.filter(lambda s: low <= len(s) <= high)


def _objects(node: Schema, defs: Schema) -> st.SearchStrategy[dict[str, Any]]:
    properties: Schema = node.get("properties", {})
    required = set(node.get("required", ()))
    return st.fixed_dictionaries(
        {k: _values(v, defs) for k, v in properties.items() if k in required},
        optional={k: _values(v, defs) for k, v in properties.items() if k not in required},
    )
