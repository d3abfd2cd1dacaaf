"""Hostile input, property-based: nothing escapes but the documented typed errors.

What ``tests/test_interactions_decode_fuzz.py`` and ``tests/test_webhooks_parse.py`` already try
(arbitrary JSON and bytes) is not repeated. Added here:

- JSON Patch validation (``normalize_patch``, the ``Patch`` builder): any value, near-valid
  operations and hostile pointers give a ``ValueError``/``TypeError`` or a patch that RFC 6902
  (the ``jsonpatch`` library) accepts; ``Patch.diff`` round-trips.
- Message encoding with hostile strings (lone surrogates, NULs, control and bidi characters,
  whitespace only, huge texts) and wrong types: ``encode`` returns JSON within the size limit
  that carries the text exactly, or raises ``ValueError`` (``MessageTooLargeError`` included)
  or ``TypeError``.
- The documented event and webhook examples with one field replaced by a hostile value:
  ``decode`` never raises and ``parse`` raises nothing for an object.

Every test honours ``HYPOTHESIS_PROFILE`` (``fuzz``: 10,000 examples) via ``property_test``; this
module's name holds "fuzz", so the ``fuzz`` nox session runs all of it.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import jsonpatch
import jsonpointer
import pytest
from _hypothesis_profiles import property_test
from hypothesis import assume, given
from hypothesis import strategies as st

from tavus_async import webhooks
from tavus_async.interactions import events as ev
from tavus_async.interactions.messages import (
    AppendContext,
    Echo,
    Message,
    MessageTooLargeError,
    ObjectiveConfirm,
    OverwriteContext,
    RawMessage,
    Respond,
    ToolResult,
    encode,
)
from tavus_async.models.patch import OPS, Patch, PatchOp, normalize_patch

FIXTURES = Path(__file__).parent / "fixtures"

# -- strategies -------------------------------------------------------------------------------

#: Every code point, lone surrogates included (what a broken client or a fuzzer sends).
_any_text = st.text(alphabet=st.characters(min_codepoint=0, max_codepoint=0x10FFFF), max_size=40)
_nasty = st.sampled_from(
    [
        "",
        " ",
        "\t\n\r ",
        "\x00",
        "\ud800",
        "a\udfffb",
        "\u202eevil",
        "\ufeff",
        "💥" * 3,
        "~",
        "~2",
        "/",
        "//",
        "/~",
        "/a~",
        "/-",
        "/0",
        '"',
        "\\",
        "{}",
        "null",
        "x" * 5000,
    ]
)
_text = _any_text | _nasty
_scalars = (
    st.none()
    | st.booleans()
    | st.integers(-(2**70), 2**70)
    | st.floats(allow_nan=True, allow_infinity=True)
    | _text
)
_json = st.recursive(
    _scalars,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(_text, inner, max_size=4),
    max_leaves=10,
)
_pointer_parts = st.lists(_text | st.sampled_from(["a", "0", "-", "layers", "llm"]), max_size=4)
_pointers = _text | _pointer_parts.map(lambda parts: "".join("/" + p for p in parts))
_op_names = st.sampled_from(sorted(OPS)) | _text | st.integers() | st.none()


@st.composite
def _near_valid_ops(draw: st.DrawFn) -> Any:
    op: dict[Any, Any] = {}
    if draw(st.integers(0, 9)) > 0:
        op["op"] = draw(_op_names)
    if draw(st.integers(0, 9)) > 0:
        op["path"] = draw(_pointers | _scalars)
    if draw(st.booleans()):
        op["value"] = draw(_json)
    if draw(st.booleans()):
        op["from"] = draw(_pointers | _scalars)
    if draw(st.integers(0, 9)) == 0:
        op[draw(_text)] = draw(_json)
    if draw(st.integers(0, 19)) == 0:
        return draw(_json)  # not an operation at all
    return op


def _rfc6902_accepts(ops: list[dict[str, Any]]) -> None:
    """Build every operation with the jsonpatch library (raises on a malformed one)."""
    patch = jsonpatch.JsonPatch(ops)
    for raw in patch.patch:
        patch._get_operation(raw)  # type: ignore[attr-defined]


# -- JSON Patch -------------------------------------------------------------------------------


@property_test()
@given(st.lists(_near_valid_ops(), max_size=5) | _json)
def test_property_patch_validation_gives_a_valid_patch_or_a_typed_error(ops: Any) -> None:
    refused: Exception | None = None
    try:
        out = normalize_patch(ops)
    except (ValueError, TypeError) as exc:
        refused = exc
    if refused is not None:
        assert str(refused)  # the message names the problem
        return
    as_list = [op.to_dict() for op in out]
    for raw in as_list:
        assert raw["op"] in OPS
        jsonpointer.JsonPointer(raw["path"])
        if raw["op"] in ("add", "replace", "test"):
            assert "value" in raw
        if raw["op"] in ("move", "copy"):
            jsonpointer.JsonPointer(raw["from"])
    _rfc6902_accepts(as_list)
    assert json.loads(json.dumps(as_list, allow_nan=True)) is not None


@property_test()
@given(op=_op_names, path=_pointers | _scalars, value=_json, from_=_pointers | _scalars)
def test_property_patch_builder_and_patchop_refuse_with_value_errors(
    op: Any, path: Any, value: Any, from_: Any
) -> None:
    for build in (
        lambda: Patch().replace(path, value),
        lambda: Patch().add(path, value),
        lambda: Patch().remove(path),
        lambda: Patch().move(from_, path),
        lambda: Patch().copy(from_, path),
        lambda: Patch().test(path, value),
        lambda: Patch([{"op": op, "path": path, "value": value}]),
        lambda: PatchOp(op=op, path=path, value=value).validate(),
    ):
        try:
            patch = build()
        except (ValueError, TypeError):
            continue
        ops = patch.to_list() if isinstance(patch, Patch) else [patch.to_dict()]
        _rfc6902_accepts(ops)


_documents = st.dictionaries(
    st.text(max_size=6),
    st.recursive(
        st.none() | st.booleans() | st.integers(-1000, 1000) | st.text(max_size=6),
        lambda inner: (
            st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=6), inner, max_size=3)
        ),
        max_leaves=8,
    ),
    max_size=5,
)


@property_test()
@given(old=_documents, new=_documents)
def test_property_patch_diff_round_trips_through_validation(
    old: dict[str, Any], new: dict[str, Any]
) -> None:
    patch = Patch.diff(old, new)
    ops = [op.to_dict() for op in normalize_patch(patch.to_list(), allow_empty=True)]
    assert jsonpatch.apply_patch(copy.deepcopy(old), ops) == new


# -- message encoding -------------------------------------------------------------------------

_MESSAGES: dict[str, Callable[[Any], Message]] = {
    "echo": lambda t: Echo(t),
    "respond": lambda t: Respond(t),
    "overwrite": lambda t: OverwriteContext(t),
    "append": lambda t: AppendContext(t, job_status=t),
    "tool_result": lambda t: ToolResult(t, t),
    "objective": lambda t: ObjectiveConfirm(t, {t: t}),
    "raw": lambda t: RawMessage(t, {"text": t}),
}


@property_test()
@given(
    kind=st.sampled_from(sorted(_MESSAGES)),
    text=_text,
    cid=_text,
    limit=st.sampled_from([4096, 64, None]),
)
def test_property_message_encoding_with_hostile_strings(
    kind: str, text: str, cid: str, limit: int | None
) -> None:
    refused: Exception | None = None
    try:
        msg = _MESSAGES[kind](text)
        data = encode(msg, cid, max_size=limit)
    except (ValueError, TypeError) as exc:  # MessageTooLargeError is a ValueError
        refused = exc
    if isinstance(refused, MessageTooLargeError):
        assert limit is not None
        assert refused.size > limit
        return
    if refused is not None:
        assert str(refused)
        return
    assert limit is None or len(data) <= limit
    wire = json.loads(data)
    assert wire["conversation_id"] == cid
    carried = json.dumps(wire, ensure_ascii=False)
    assert text in carried or json.dumps(text)[1:-1] in json.dumps(wire)
    # And what we send decodes back to the same event type (the replica side reads it).
    assert not isinstance(ev.decode(data), ev.MalformedEvent)


@property_test()
@given(kind=st.sampled_from(sorted(_MESSAGES)), value=_scalars | st.binary(max_size=8))
def test_property_message_constructors_refuse_wrong_types(kind: str, value: Any) -> None:
    assume(not isinstance(value, str))
    try:
        encode(_MESSAGES[kind](value), "c1")
    except (ValueError, TypeError):
        return


# -- decoding and parsing documented examples with a hostile field ----------------------------


def _fixtures(folder: str) -> list[Any]:
    out = []
    for path in sorted((FIXTURES / folder).glob("*.json")):
        loaded = json.loads(path.read_text())
        out.extend(loaded if isinstance(loaded, list) else [loaded])
    return [o for o in out if isinstance(o, dict)]


_EVENT_EXAMPLES = _fixtures("interactions")
_WEBHOOK_EXAMPLES = _fixtures("webhooks")


def _paths(obj: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    found = [prefix] if prefix else []
    if isinstance(obj, dict):
        for key, value in obj.items():
            found += _paths(value, (*prefix, key))
    elif isinstance(obj, list):
        for i, value in enumerate(obj):
            found += _paths(value, (*prefix, i))
    return found


@st.composite
def _mutated(draw: st.DrawFn, examples: list[dict[str, Any]]) -> dict[str, Any]:
    obj: dict[str, Any] = copy.deepcopy(draw(st.sampled_from(examples)))
    for _ in range(draw(st.integers(1, 3))):
        paths = _paths(obj)
        if not paths:
            break
        path = draw(st.sampled_from(paths))
        parent = obj
        for key in path[:-1]:
            parent = parent[key]
        if draw(st.integers(0, 4)) == 0 and isinstance(parent, dict):
            del parent[path[-1]]
        else:
            parent[path[-1]] = draw(_json)
    return obj


@pytest.mark.skipif(not _EVENT_EXAMPLES, reason="no interactions fixtures")
@property_test()
@given(_mutated(_EVENT_EXAMPLES), st.sampled_from(["dict", "str", "bytes"]))
def test_property_documented_events_with_a_hostile_field_never_break_decode(
    obj: dict[str, Any], form: str
) -> None:
    try:
        text = json.dumps(obj, allow_nan=True)
    except (ValueError, UnicodeEncodeError):
        text = None
    payload: Any = obj
    if form == "str" and text is not None:
        payload = text
    elif form == "bytes" and text is not None:
        payload = text.encode("utf-8", "surrogatepass")
    event = ev.decode(payload)
    assert isinstance(event, ev.Event)
    if isinstance(event, ev.MalformedEvent):
        assert event.reason
    ev.is_droppable(event)
    repr(event)


@pytest.mark.skipif(not _WEBHOOK_EXAMPLES, reason="no webhook fixtures")
@property_test()
@given(_mutated(_WEBHOOK_EXAMPLES))
def test_property_documented_webhooks_with_a_hostile_field_parse_without_raising(
    obj: dict[str, Any],
) -> None:
    event = webhooks.parse(obj)
    repr(event)
    try:
        body = json.dumps(obj, allow_nan=True).encode("utf-8", "surrogatepass")
    except (ValueError, UnicodeEncodeError):
        return
    try:
        again = webhooks.parse(body)
    except webhooks.WebhookParseError:
        return  # bytes that are not valid UTF-8 JSON: the one documented error
    assert type(again) is type(event) or isinstance(again, webhooks.UnknownWebhook)
