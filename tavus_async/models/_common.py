"""What every model shares: the Struct bases, secret masking in repr, timestamps, request building.

Responses decode leniently: unknown fields are ignored (Tavus adds fields often) and almost every
field is optional. Requests are built from keyword arguments, plain dicts or model instances by
:func:`build_request`, which checks every field name (nested ones too) and every type *before* any
I/O, so a typo such as ``layers={"llm": {"modle": ...}}`` is an error instead of a silently dropped
setting.
"""

from __future__ import annotations

import difflib
import email.utils
import math
import re
import types
import typing
from collections import abc
from collections.abc import Iterator, Mapping
from datetime import datetime, timedelta, timezone
from typing import TYPE_CHECKING, Any, ClassVar, TypeVar, Union

import msgspec

from .._logging import redact
from ..errors import InvalidInputError, InvalidTypeError

__all__ = [
    "Model",
    "RequestModel",
    "Settles",
    "Timestamped",
    "build_request",
    "deep_merge",
    "hoist_set",
    "parse_progress",
    "parse_timestamp",
    "unwrap_one",
]

M = TypeVar("M", bound="Model")
S = TypeVar("S")

_MASK = "'***'"


class Model(msgspec.Struct, kw_only=True, omit_defaults=True):
    """Base of every model: keyword-only, unknown fields ignored, unset fields not encoded.

    ``repr`` shows only the fields that are set and masks the names listed in
    ``__secret_fields__`` (API keys, meeting tokens), so a model can be logged safely.
    """

    __secret_fields__: ClassVar[frozenset[str]] = frozenset()

    def _repr_items(self) -> Iterator[tuple[str, Any, bool]]:
        defaults = _struct_defaults(type(self))
        secrets = type(self).__secret_fields__
        # Ids and content first; the timestamps inherited from Timestamped last.
        names = sorted(self.__struct_fields__, key=lambda n: n in ("created_at", "updated_at"))
        for name in names:
            value = getattr(self, name)
            if value is msgspec.UNSET:
                continue
            if name in defaults and _same(defaults[name], value):
                continue
            yield name, value, name in secrets and value is not None

    def __repr__(self) -> str:
        parts = [
            # URLs may carry secrets too (a callback_url's ?token=, a room URL's ?t=): the
            # same redaction as the logs applies to every shown value.
            f"{name}={_MASK if secret else redact(repr(value))}"
            for name, value, secret in self._repr_items()
        ]
        return f"{type(self).__name__}({', '.join(parts)})"

    def __rich_repr__(self) -> list[tuple[str, Any]]:
        return [(name, "***" if secret else value) for name, value, secret in self._repr_items()]

    def to_dict(self) -> dict[str, Any]:
        """The model as plain JSON-ready builtins (unset fields left out)."""
        out: dict[str, Any] = msgspec.to_builtins(self)
        return out


class RequestModel(Model, kw_only=True, omit_defaults=True):
    """Base of request bodies: fields left at their default are not sent."""


class Timestamped(Model, kw_only=True, omit_defaults=True):
    """A model with Tavus's ``created_at``/``updated_at`` strings and parsed views of them."""

    created_at: str | None = None
    updated_at: str | None = None

    @property
    def created_datetime(self) -> datetime | None:
        """``created_at`` parsed leniently (UTC-aware), or None when absent or unreadable."""
        return parse_timestamp(self.created_at)

    @property
    def updated_datetime(self) -> datetime | None:
        """``updated_at`` parsed leniently (UTC-aware), or None when absent or unreadable."""
        return parse_timestamp(self.updated_at)


class Settles:
    """``is_ready``/``is_failed`` for a record that settles in a terminal ``status``.

    The class names its terminal statuses once, in ``DONE_STATUSES`` and ``FAILED_STATUSES``;
    the waiters read the same sets.
    """

    __slots__ = ()  # a mixin of msgspec Structs: it may declare no fields

    if TYPE_CHECKING:  # declared by each Struct that mixes this in
        DONE_STATUSES: ClassVar[frozenset[str]]
        FAILED_STATUSES: ClassVar[frozenset[str]]
        status: str | None

    @property
    def is_ready(self) -> bool:
        """``status`` is one of :attr:`DONE_STATUSES`: the work finished successfully."""
        return self.status in self.DONE_STATUSES

    @property
    def is_failed(self) -> bool:
        """``status`` is one of :attr:`FAILED_STATUSES`: the work will not finish."""
        return self.status in self.FAILED_STATUSES


def _same(a: Any, b: Any) -> bool:
    try:
        return bool(a == b) and type(a) is type(b)
    except Exception:  # a value with a strange __eq__ is simply shown
        return False


_defaults_cache: dict[type, dict[str, Any]] = {}


def _struct_defaults(cls: type) -> dict[str, Any]:
    cached = _defaults_cache.get(cls)
    if cached is None:
        cached = {}
        for f in msgspec.structs.fields(cls):
            if f.default is not msgspec.NODEFAULT:
                cached[f.name] = f.default
            elif f.default_factory is not msgspec.NODEFAULT:
                cached[f.name] = f.default_factory()
        _defaults_cache[cls] = cached
    return cached


# --- timestamps ---------------------------------------------------------------------------------

_ISO_RE = re.compile(
    r"^\s*(?P<y>\d{4})-(?P<mo>\d{1,2})-(?P<d>\d{1,2})"
    r"(?:[Tt ](?P<h>\d{1,2}):(?P<mi>\d{2})(?::(?P<s>\d{2})(?:[.,](?P<f>\d+))?)?)?"
    r"\s*(?P<tz>[Zz]|UTC|GMT|[+-]\d{2}(?::?\d{2})?)?\s*$"
)


def parse_timestamp(value: object) -> datetime | None:
    """Parse any timestamp format Tavus sends into a timezone-aware UTC ``datetime``.

    The SDK's one timestamp parser: REST models and webhook payloads both read times with it.

    Accepted: ISO 8601 with or without ``T``/``Z``/offset and with any number of fractional
    digits (``2025-05-16T02:09:22.675928Z``, ``2024-01-24T07:14:03.327Z``,
    ``2024-08-28 15:27:40.824457``), RFC 1123 (``Mon, 14 Jul 2025 09:14:24 GMT``) and Unix epoch
    seconds (a number, or a numeric string). A value without a zone is taken as UTC.

    Args:
        value: The raw value from a response.

    Returns:
        The instant in UTC, or None when ``value`` is None, empty or not a recognised format
        (never raises: timestamps are informative, not worth failing a call over).
    """
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        return _from_epoch(float(value))
    if not isinstance(value, str):
        return None
    text = value.strip()
    if not text:
        return None
    m = _ISO_RE.match(text)
    if m:
        return _from_iso_match(m)
    try:
        return _from_epoch(float(text))
    except ValueError:
        pass
    try:
        parsed = email.utils.parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError):
        return None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=timezone.utc)
    return parsed.astimezone(timezone.utc)


def _from_epoch(seconds: float) -> datetime | None:
    try:
        return datetime.fromtimestamp(seconds, tz=timezone.utc)
    except (OverflowError, OSError, ValueError):
        return None


def _from_iso_match(m: re.Match[str]) -> datetime | None:
    frac = (m.group("f") or "0")[:6].ljust(6, "0")
    try:
        dt = datetime(
            int(m.group("y")),
            int(m.group("mo")),
            int(m.group("d")),
            int(m.group("h") or 0),
            int(m.group("mi") or 0),
            int(m.group("s") or 0),
            int(frac),
            tzinfo=timezone.utc,
        )
    except ValueError:
        return None
    tz = m.group("tz")
    if tz and tz[0] in "+-":
        digits = tz[1:].replace(":", "")
        offset = timedelta(hours=int(digits[:2]), minutes=int(digits[2:4] or 0))
        dt = dt - offset if tz[0] == "+" else dt + offset
    return dt


def parse_progress(value: object) -> float | None:
    """Turn a progress value (``"42/100"``, ``"42%"``, ``42``, ``"42"``) into a fraction 0-1.

    The SDK's one progress parser and unit: models' ``progress`` properties and the waiters'
    :class:`~tavus_async.Progress` both use it. A bare number is a percentage.

    Returns:
        The fraction, or None when ``value`` is absent or unreadable (never raises).
    """
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        return max(0.0, min(1.0, float(value) / 100.0)) if math.isfinite(value) else None
    if not isinstance(value, str):
        return None
    text = value.strip()
    try:
        if "/" in text:
            done, _, total = text.partition("/")
            whole = float(total)
            return max(0.0, min(1.0, float(done) / whole)) if whole > 0 else None
        return max(0.0, min(1.0, float(text.rstrip("%")) / 100.0))
    except ValueError:
        return None


# --- request building ---------------------------------------------------------------------------


def build_request(
    model: type[M],
    params: M | Mapping[str, Any] | None,
    fields: Mapping[str, Any],
    *,
    extra_body: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """Build a JSON request body from a model instance, a mapping and/or keyword arguments.

    Keyword arguments override what ``params`` holds. Nested values may be dicts or model
    instances. Every field name is checked against ``model`` at every depth and the whole body
    is type-checked, so mistakes surface here, before any I/O.

    Args:
        model: The request model the body must match.
        params: A ``model`` instance or a mapping of its fields, or None.
        fields: Keyword arguments given to the resource method.
        extra_body: Fields this SDK does not model, merged (deeply) into the body unchecked, for
            parameters Tavus added after this release.

    Returns:
        The body as JSON-ready builtins, with unset fields left out.

    Raises:
        TypeError: ``params`` is neither a ``model`` nor a mapping.
        ValueError: An unknown field name (with a "did you mean" hint), a missing required field,
            or a value of the wrong type (naming where, e.g. ``$.layers.llm.model``).
    """
    raw: dict[str, Any] = {}
    if params is not None:
        if isinstance(params, msgspec.Struct):
            if not isinstance(params, model):
                raise InvalidTypeError(
                    f"expected a {model.__name__} or a dict, got a {type(params).__name__}"
                )
            raw.update(msgspec.to_builtins(params))
        elif isinstance(params, Mapping):
            raw.update(msgspec.to_builtins(dict(params)))
        else:
            raise InvalidTypeError(
                f"expected a {model.__name__} or a dict, got {type(params).__name__}: {params!r}"
            )
    if fields:
        raw.update(msgspec.to_builtins(dict(fields)))
    unknown = _unknown_fields(raw, model, "")
    if unknown:
        raise InvalidInputError(
            f"unknown field(s) for {model.__name__}: {'; '.join(unknown)}. "
            "If Tavus accepts a field this SDK does not model yet, pass it in extra_body={...}."
        )
    try:
        checked = msgspec.convert(raw, model)
    except msgspec.ValidationError as exc:
        raise InvalidInputError(f"invalid {model.__name__}: {exc}") from exc
    body: dict[str, Any] = msgspec.to_builtins(checked)
    if extra_body:
        deep_merge(body, msgspec.to_builtins(dict(extra_body)))
    return body


def deep_merge(into: dict[str, Any], extra: Mapping[str, Any]) -> None:
    """Merge ``extra`` into ``into`` in place: nested objects merge, anything else replaces.

    The one merge of ``extra_body`` (in :func:`build_request` and in the request core's
    per-call ``extra_body``), so both reach the wire the same way.
    """
    for key, value in extra.items():
        current = into.get(key)
        if isinstance(current, dict) and isinstance(value, Mapping):
            deep_merge(current, value)
        else:
            into[key] = value


_hints_cache: dict[type, dict[str, tuple[str, Any]]] = {}


def _encoded_fields(cls: type) -> dict[str, tuple[str, Any]]:
    """Map each encoded field name of a Struct type to (attribute name, type hint)."""
    cached = _hints_cache.get(cls)
    if cached is None:
        hints = typing.get_type_hints(cls)
        cached = {
            f.encode_name: (f.name, hints.get(f.name, Any)) for f in msgspec.structs.fields(cls)
        }
        _hints_cache[cls] = cached
    return cached


def _struct_types(hint: Any) -> tuple[type | None, type | None]:
    """Return (struct type for a direct value, struct type for list items) found in ``hint``."""
    direct: type | None = None
    item: type | None = None
    origin = typing.get_origin(hint)
    if origin in (Union, types.UnionType):
        for arg in typing.get_args(hint):
            d, i = _struct_types(arg)
            direct = direct or d
            item = item or i
        return direct, item
    if isinstance(hint, type) and issubclass(hint, msgspec.Struct):
        return hint, None
    if origin in (list, tuple, abc.Sequence):
        args = typing.get_args(hint)
        if args and isinstance(args[0], type) and issubclass(args[0], msgspec.Struct):
            return None, args[0]
    return direct, item


def _unknown_fields(raw: Any, cls: type, where: str) -> list[str]:
    if not isinstance(raw, dict):
        return []
    known = _encoded_fields(cls)
    tag_field = getattr(getattr(cls, "__struct_config__", None), "tag_field", None)
    problems: list[str] = []
    for key, value in raw.items():
        here = f"{where}.{key}" if where else str(key)
        if key == tag_field:
            continue  # a tagged union's discriminator ("type"), not a field
        entry = known.get(key)
        if entry is None:
            close = difflib.get_close_matches(str(key), list(known), n=1)
            hint = f" (did you mean {close[0]!r}?)" if close else ""
            problems.append(f"{here!r}{hint}")
            continue
        direct, item = _struct_types(entry[1])
        if isinstance(value, dict):
            direct = _tagged_member(entry[1], value) or direct
        if direct is not None and isinstance(value, dict):
            problems.extend(_unknown_fields(value, direct, here))
        elif item is not None and isinstance(value, list):
            for i, element in enumerate(value):
                problems.extend(_unknown_fields(element, item, f"{here}[{i}]"))
    return problems


def _tagged_member(hint: Any, value: dict[str, Any]) -> type | None:
    """The member of a tagged union of Structs that ``value``'s tag selects, if any."""
    if typing.get_origin(hint) not in (Union, types.UnionType):
        return None
    for arg in typing.get_args(hint):
        if isinstance(arg, type) and issubclass(arg, msgspec.Struct):
            config = arg.__struct_config__
            if config.tag_field is not None and value.get(config.tag_field) == config.tag:
                return arg
    return None


_SET_META = frozenset({"created_at", "updated_at", "status", "name"})


def hoist_set(raw: Any, id_key: str, item_key: str, item_keys: frozenset[str]) -> Any:
    """Normalise an objectives/guardrails body so that ``data`` is a list of items.

    Handles ``data`` as one object (moving a set id found inside it to the top) and the flat form
    where one item's fields sit at the top level next to the set id.
    """
    if not isinstance(raw, dict):
        return raw
    body = dict(raw)
    data = body.get("data")
    if isinstance(data, dict):
        inner = dict(data)
        for key in (id_key, *_SET_META):
            if key in inner and key not in body:
                body[key] = inner[key]
            if key in inner and key not in item_keys:
                inner.pop(key)
        body["data"] = [inner]
    elif data is None and item_key in body and "data" not in body:
        prompt_key = item_key.replace("_name", "_prompt")
        if prompt_key in body:
            # The flat form: one item's fields at the top level.
            body["data"] = [{k: v for k, v in body.items() if k in item_keys}]
    return body


def unwrap_one(raw: Any, model: type[S], id_field: str, what: str) -> S:
    """Decode a GET body that is one item, flat or wrapped as ``{"data": [item]}``.

    Tavus answers a PAL or a persona flat (what clients observe) while its docs show the
    wrapped form; both decode to ``model``.

    Args:
        raw: The decoded JSON body.
        model: The item's model.
        id_field: The item's id key (present only in the flat form).
        what: The item's name, for the error.

    Raises:
        msgspec.ValidationError: The body is neither shape.
    """
    if isinstance(raw, dict) and id_field not in raw and "data" in raw:
        data = raw["data"]
        if isinstance(data, list):
            if len(data) != 1:
                raise msgspec.ValidationError(
                    f"expected `data` to hold one {what}, it holds {len(data)}"
                )
            data = data[0]
        raw = data
    return msgspec.convert(raw, model, strict=False)
