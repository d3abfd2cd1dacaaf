"""JSON Patch (RFC 6902) operations, a small builder, and validation before any I/O.

Personas, objectives, guardrails and pronunciation dictionaries are updated with a JSON Patch::

    await tavus.personas.patch(pid, Patch().replace("/system_prompt", "Be brief.")
                                           .add("/layers/llm/model", "tavus-gpt-4o"))
    await tavus.personas.patch(pid, [{"op": "remove", "path": "/document_ids"}])

An unknown ``op``, a ``path`` that is not a JSON Pointer, a missing ``value`` (for add, replace,
test) or ``from`` (for move, copy) is a ``ValueError`` raised here, before a request is sent.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

import jsonpatch
import jsonpointer
import msgspec

from ..errors import InvalidInputError, InvalidTypeError
from ._common import Model

__all__ = ["OPS", "Patch", "PatchOp", "PatchResult", "normalize_patch", "pointer"]

T = TypeVar("T")

#: The operations RFC 6902 defines.
OPS = frozenset({"add", "remove", "replace", "copy", "move", "test"})
_NEEDS_VALUE = frozenset({"add", "replace", "test"})
_NEEDS_FROM = frozenset({"copy", "move"})
_MEMBERS = frozenset({"op", "path", "value", "from"})


class PatchOp(Model, kw_only=True, omit_defaults=True, rename={"from_": "from"}):
    """One JSON Patch operation.

    Attributes:
        op: One of ``add``, ``remove``, ``replace``, ``copy``, ``move``, ``test``.
        path: A JSON Pointer into the resource (``/layers/llm/model``).
        value: The value for add, replace and test (``None`` is sent as JSON null; leave it
            unset for remove, move and copy).
        from_: The source pointer for move and copy (sent as ``from``).
    """

    op: str
    path: str
    value: Any = msgspec.UNSET
    from_: str | msgspec.UnsetType = msgspec.UNSET

    def validate(self) -> PatchOp:
        """Check the operation and return it.

        Raises:
            ValueError: Unknown ``op``, a path that is not a JSON Pointer, or a missing
                ``value``/``from``.
        """
        _check(self.op, self.path, self.value, self.from_)
        return self


def pointer(*parts: str | int) -> str:
    """Build a JSON Pointer from path segments, escaping ``~`` and ``/`` in them.

    Example::

        pointer("layers", "llm", "model")   # "/layers/llm/model"
        pointer("data", 0, "a/b")           # "/data/0/a~1b"
    """
    return "".join("/" + jsonpointer.escape(str(p)) for p in parts)


def _check(op: object, path: object, value: Any, from_: object, where: str = "") -> None:
    prefix = f"JSON Patch operation{where}: "
    if not isinstance(op, str) or op not in OPS:
        raise InvalidInputError(f"{prefix}unknown op {op!r}; use one of {', '.join(sorted(OPS))}")
    _check_pointer(prefix, "path", path)
    if op in _NEEDS_VALUE and value is msgspec.UNSET:
        raise InvalidInputError(
            f"{prefix}{op!r} at {path!r} needs a 'value' (use None to send null)"
        )
    if op in _NEEDS_FROM:
        if from_ is msgspec.UNSET:
            raise InvalidInputError(f"{prefix}{op!r} to {path!r} needs a 'from' pointer")
        _check_pointer(prefix, "from", from_)


def _check_pointer(prefix: str, name: str, value: object) -> None:
    if not isinstance(value, str):
        raise InvalidInputError(f"{prefix}{name!r} must be a JSON Pointer string, got {value!r}")
    try:
        jsonpointer.JsonPointer(value)
    except jsonpointer.JsonPointerException as exc:
        raise InvalidInputError(
            f"{prefix}{name} {value!r} is not a JSON Pointer ({exc}); pointers start with '/', "
            "e.g. '/layers/llm/model' (escape '~' as '~0' and '/' as '~1', or use pointer())"
        ) from None


class Patch:
    """A JSON Patch builder; every method validates its operation at once and returns ``self``.

    Example::

        patch = Patch().replace("/persona_name", "Guide").remove("/document_tags")
        await tavus.personas.patch(persona_id, patch)
    """

    def __init__(self, ops: Iterable[PatchOp | Mapping[str, Any]] = ()) -> None:
        self._ops: list[PatchOp] = normalize_patch(ops, allow_empty=True)

    def _push(self, op: PatchOp) -> Patch:
        self._ops.append(op.validate())
        return self

    def add(self, path: str, value: Any) -> Patch:
        """Add ``value`` at ``path`` (creates an object member; inserts into an array)."""
        return self._push(PatchOp(op="add", path=path, value=value))

    def remove(self, path: str) -> Patch:
        """Remove the value at ``path``."""
        return self._push(PatchOp(op="remove", path=path))

    def replace(self, path: str, value: Any) -> Patch:
        """Replace the existing value at ``path`` (the member must exist; else use ``add``)."""
        return self._push(PatchOp(op="replace", path=path, value=value))

    def move(self, from_: str, path: str) -> Patch:
        """Move the value at ``from_`` to ``path``."""
        return self._push(PatchOp(op="move", path=path, from_=from_))

    def copy(self, from_: str, path: str) -> Patch:
        """Copy the value at ``from_`` to ``path``."""
        return self._push(PatchOp(op="copy", path=path, from_=from_))

    def test(self, path: str, value: Any) -> Patch:
        """Make the whole patch fail unless the value at ``path`` equals ``value``."""
        return self._push(PatchOp(op="test", path=path, value=value))

    @classmethod
    def diff(cls, old: Mapping[str, Any], new: Mapping[str, Any]) -> Patch:
        """The patch that turns ``old`` into ``new`` (computed by the ``jsonpatch`` library)."""
        made = jsonpatch.make_patch(dict(old), dict(new))
        return cls(list(made.patch))

    @property
    def ops(self) -> list[PatchOp]:
        """The operations, in order."""
        return list(self._ops)

    def to_list(self) -> list[dict[str, Any]]:
        """The patch as the JSON array the API takes."""
        return [op.to_dict() for op in self._ops]

    def __iter__(self) -> Iterator[PatchOp]:
        return iter(self._ops)

    def __len__(self) -> int:
        return len(self._ops)

    def __repr__(self) -> str:
        return f"Patch({self.to_list()!r})"


def normalize_patch(
    ops: Patch | Iterable[PatchOp | Mapping[str, Any]], *, allow_empty: bool = False
) -> list[PatchOp]:
    """Validate a patch given as a :class:`Patch`, ``PatchOp`` objects or plain dicts.

    Args:
        ops: The operations.
        allow_empty: Accept an empty patch (a request with one is almost always a mistake).

    Returns:
        The operations as validated :class:`PatchOp` objects.

    Raises:
        TypeError: ``ops`` is a single dict or string rather than a list of operations.
        ValueError: An operation is invalid (named by its index), or the patch is empty.
    """
    if isinstance(ops, Patch):
        out = ops.ops
    else:
        if isinstance(ops, (Mapping, str, bytes, msgspec.Struct)):
            raise InvalidTypeError(
                "a JSON Patch is a list of operations, e.g. "
                '[{"op": "replace", "path": "/persona_name", "value": "New"}]'
            )
        out = []
        for index, item in enumerate(ops):
            where = f" #{index}"
            if isinstance(item, PatchOp):
                _check(item.op, item.path, item.value, item.from_, where)
                out.append(item)
            elif isinstance(item, Mapping):
                extra = set(item) - _MEMBERS
                if extra:
                    raise InvalidInputError(
                        f"JSON Patch operation{where}: unknown member(s) "
                        f"{', '.join(sorted(map(str, extra)))}; allowed: op, path, value, from"
                    )
                value = item.get("value", msgspec.UNSET)
                from_ = item.get("from", msgspec.UNSET)
                _check(item.get("op"), item.get("path"), value, from_, where)
                out.append(PatchOp(op=item["op"], path=item["path"], value=value, from_=from_))
            else:
                raise InvalidInputError(
                    f"JSON Patch operation{where}: expected a dict or PatchOp, got {item!r}"
                )
    if not out and not allow_empty:
        raise InvalidInputError("the JSON Patch is empty: give at least one operation")
    return out


@dataclass(frozen=True)
class PatchResult(Generic[T]):
    """What a JSON Patch call did.

    Attributes:
        changed: False when the server answered 304: the patch changed nothing (not an error).
        status_code: The HTTP status (200 or 304).
        message: The server's own message, when it sent one.
        resource: The updated resource, for endpoints that return it (pronunciation
            dictionaries), else None.
    """

    changed: bool
    status_code: int
    message: str | None = None
    resource: T | None = None

    def __bool__(self) -> bool:
        return self.changed
