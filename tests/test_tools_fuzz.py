"""Hostile input on the HTTP tool channel, property-based: a status, never an exception.

- Any body, signed or not: ``handle_request`` answers one of its documented statuses, an
  unsigned body never reaches a tool, and no answer carries the secret or a traceback.
- Any ``arguments`` value (a JSON string or an object of anything): the function runs only with
  arguments of its annotated types, otherwise the answer is 400/422 naming what was wrong.
"""

from __future__ import annotations

import asyncio
import json
from typing import Any, Literal

from _hypothesis_profiles import property_test
from hypothesis import given
from hypothesis import strategies as st

from tavus_async import tools

SECRET = "whsec_fuzz_0123456789"
STATUSES = {200, 400, 404, 413, 422, 500, 504}

_calls: list[tuple[Any, ...]] = []
registry = tools.ToolRegistry()


@registry.tool
async def book(guests: int, seating: Literal["inside", "terrace"], note: str | None = None) -> str:
    """Book a table."""
    _calls.append((guests, seating, note))
    return "booked"


_scalars = st.none() | st.booleans() | st.integers() | st.text()
_json = st.recursive(
    _scalars | st.floats(allow_nan=False, allow_infinity=False),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(), inner, max_size=4),
    max_leaves=12,
)
_argument_objects = st.fixed_dictionaries(
    {},
    optional={
        "guests": _json | st.integers(),
        "seating": _json | st.sampled_from(["inside", "terrace"]),
        "note": _json,
    },
)


def _answer(body: bytes, *, signed: bool, max_body_size: int = 2048) -> tools.ToolHTTPResponse:
    headers = {tools.SIGNATURE_HEADER: tools.sign(SECRET, body)} if signed else {}
    return asyncio.run(
        tools.handle_request(registry, body, headers, secret=SECRET, max_body_size=max_body_size)
    )


@property_test()
@given(st.binary(max_size=3000), st.booleans())
def test_property_any_body_gets_a_documented_status(body: bytes, signed: bool) -> None:
    _calls.clear()
    answer = _answer(body, signed=signed)
    if len(body) > 2048:
        assert answer.status == 413
    elif not signed:
        assert answer.status == 401
        assert _calls == []
    else:
        assert answer.status in STATUSES
    assert SECRET not in answer.text
    assert "Traceback" not in answer.text


@property_test()
@given(_argument_objects, st.booleans())
def test_property_the_function_runs_only_with_typed_arguments(
    arguments: dict[str, Any], as_string: bool
) -> None:
    _calls.clear()
    sent: Any = json.dumps(arguments) if as_string else arguments
    body = json.dumps({"conversation_id": "c1", "name": "book", "arguments": sent}).encode()
    # No size limit that matters here: escaped text (a NUL is six bytes as a JSON string inside
    # a JSON string) made a fitting call over 2,048 bytes, answered 413 (a flaky failure).
    answer = _answer(body, signed=True, max_body_size=1 << 20)
    fits = (
        type(arguments.get("guests")) is int
        and arguments.get("seating") in ("inside", "terrace")
        and (arguments.get("note") is None or isinstance(arguments.get("note"), str))
    )
    if fits:
        assert (answer.status, answer.text) == (200, "booked")
        assert _calls == [(arguments["guests"], arguments["seating"], arguments.get("note"))]
    else:
        assert answer.status in (400, 422)
        assert _calls == []
        assert "book" in json.loads(answer.body)["error"]
