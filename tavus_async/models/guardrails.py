"""Guardrails models: rules the replica must not break, flat (``uuid``) or grouped in a set.

Two shapes live on ``/v2/guardrails`` (api-2026-surface.md §9): the 2026 **flat** guardrail, one
rule with its own ``uuid`` (:class:`FlatGuardrail`, created from :class:`FlatGuardrailCreate`;
PALs list them in ``guardrail_ids``), and the legacy **set** (:class:`GuardrailSet`, attached
with ``guardrails_id``), whose items are mirrored as flat guardrails.

Accepted set shapes (see :func:`to_guardrail_set`): the create response
``{guardrails_id, guardrails_name, status, created_at}``, GET one with ``data`` as an object or a
list, the newer flat form (one guardrail at the top level), and the docs' alternative spelling
``guardrails_name``/``guardrails_prompt`` inside ``data``.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

import msgspec

from ._common import Model, RequestModel, Timestamped, hoist_set

__all__ = [
    "FlatGuardrail",
    "FlatGuardrailCreate",
    "FlatGuardrailUpdate",
    "Guardrail",
    "GuardrailSet",
    "GuardrailsCreate",
    "TagList",
    "to_guardrail_set",
]

# The documented limits (api-2026-surface.md §9.1), checked before any request.
_Name = Annotated[str, msgspec.Meta(pattern=r"^[A-Za-z0-9_]+$", min_length=1, max_length=100)]
_Prompt = Annotated[str, msgspec.Meta(min_length=1, max_length=1000)]
_Url = Annotated[str, msgspec.Meta(max_length=2048)]
_Tags = Annotated[
    list[Annotated[str, msgspec.Meta(min_length=1, max_length=64)]], msgspec.Meta(max_length=32)
]
_Modality = Literal["verbal", "visual", "audio"]


class Guardrail(RequestModel, kw_only=True, omit_defaults=True):
    """One guardrail.

    Attributes:
        guardrail_name: Letters, digits and underscores.
        guardrail_prompt: The rule.
        modality: ``verbal`` (default), ``visual`` or ``audio``.
        callback_url: Called when the guardrail is triggered.
        tool_call: A tool call made when triggered (newer API).
        app_message: Send an app message when triggered (newer API).
        tags: Tags (newer API).
        uuid: The id of this item's flat mirror (read only; Tavus sets it).
    """

    guardrail_name: str
    guardrail_prompt: str | None = None
    modality: str | None = None
    callback_url: str | None = None
    tool_call: dict[str, Any] | None = None
    app_message: bool | None = None
    tags: list[str] | None = None
    uuid: str | None = None


class GuardrailsCreate(RequestModel, kw_only=True, omit_defaults=True):
    """The body of ``POST /v2/guardrails`` (the documented set form).

    Attributes:
        data: The guardrails (as :class:`Guardrail` or dicts).
        name: A name for the set.
    """

    data: list[Guardrail]
    name: str | None = None


class GuardrailSet(Timestamped, kw_only=True, omit_defaults=True):
    """A guardrails set (``guardrails_id``) and its guardrails in ``data``."""

    guardrails_id: str | None = None
    name: str | None = None
    guardrails_name: str | None = None
    status: str | None = None
    data: list[Guardrail] = msgspec.field(default_factory=list)

    @property
    def guardrails(self) -> list[Guardrail]:
        """The guardrails in the set."""
        return self.data


_GUARDRAIL_KEYS = frozenset(f.encode_name for f in msgspec.structs.fields(Guardrail))


def _respell(item: Any) -> Any:
    # The guide spells the fields guardrails_name / guardrails_prompt; the schema does not.
    if isinstance(item, dict):
        item = dict(item)
        for short, long in (
            ("guardrail_name", "guardrails_name"),
            ("guardrail_prompt", "guardrails_prompt"),
        ):
            if short not in item and long in item:
                item[short] = item.pop(long)
    return item


def to_guardrail_set(raw: Any, guardrails_id: str | None = None) -> GuardrailSet:
    """Decode any of the guardrails shapes into a :class:`GuardrailSet`.

    Args:
        raw: The decoded JSON body (or one list item).
        guardrails_id: The id from the request path, used when the body does not repeat it.

    Raises:
        msgspec.ValidationError: The body matches none of the shapes.
    """
    if isinstance(raw, dict) and isinstance(raw.get("data"), (dict, list)):
        data = raw["data"]
        raw = {
            **raw,
            "data": [_respell(d) for d in data] if isinstance(data, list) else _respell(data),
        }
    body = hoist_set(raw, "guardrails_id", "guardrail_name", _GUARDRAIL_KEYS)
    result = msgspec.convert(body, GuardrailSet, strict=False)
    if result.guardrails_id is None and guardrails_id is not None:
        result = msgspec.structs.replace(result, guardrails_id=guardrails_id)
    return result


class FlatGuardrailCreate(RequestModel, kw_only=True, omit_defaults=True):
    """The body of a flat ``POST /v2/guardrails`` (one rule; Tavus answers with its ``uuid``).

    Attributes:
        guardrail_name: Letters, digits and underscores, at most 100.
        guardrail_prompt: The rule, at most 1,000 characters.
        modality: ``verbal`` (Tavus's default), ``visual`` or ``audio``.
        callback_url: Called when the guardrail triggers (at most 2,048 characters).
        tags: At most 32 tags of at most 64 characters (attach by tag with a PAL's
            ``guardrail_tags``).
        app_message: False: no in-call app message when it triggers, only the callback.
        tool_call: A structured payload sent when it triggers.
    """

    guardrail_name: _Name
    guardrail_prompt: _Prompt
    modality: _Modality | None = None
    callback_url: _Url | None = None
    tags: _Tags | None = None
    app_message: bool | None = None
    tool_call: dict[str, Any] | None = None


class FlatGuardrailUpdate(RequestModel, kw_only=True, omit_defaults=True):
    """The fields :meth:`~tavus_async.resources.Guardrails.update_flat` may change (same limits
    as :class:`FlatGuardrailCreate`; ``tags`` replaces the whole list)."""

    guardrail_name: _Name | None = None
    guardrail_prompt: _Prompt | None = None
    modality: _Modality | None = None
    callback_url: _Url | None = None
    tags: _Tags | None = None
    app_message: bool | None = None
    tool_call: dict[str, Any] | None = None


class FlatGuardrail(Timestamped, kw_only=True, omit_defaults=True):
    """A flat guardrail: one rule with its own id, ``uuid`` (the value a PAL's
    ``guardrail_ids`` holds).

    Attributes:
        uuid: Its id.
        guardrail_name: Its name.
        guardrail_prompt: The rule.
        modality: ``verbal``, ``visual`` or ``audio``.
        callback_url: Called when it triggers.
        tags: Its tags.
        app_message: Whether it sends an in-call app message when it triggers.
        tool_call: The payload sent when it triggers (absent when empty).
        guardrail_type: ``user`` or ``system`` (with ``verbose=True``).
        persona_refs: The PALs that use it (with ``verbose=True``).
    """

    uuid: str
    guardrail_name: str | None = None
    guardrail_prompt: str | None = None
    modality: str | None = None
    callback_url: str | None = None
    tags: list[str] = msgspec.field(default_factory=list)
    app_message: bool | None = None
    tool_call: dict[str, Any] | None = None
    guardrail_type: str | None = None
    persona_refs: list[Any] | None = None

    @property
    def guardrail_id(self) -> str:
        """The id under its usual name (``uuid`` on the wire)."""
        return self.uuid


class TagList(Model, kw_only=True, omit_defaults=True):
    """The answer of a ``tags`` endpoint (``/v2/guardrails/tags``, ``/v2/documents/tags``).

    Attributes:
        tags: The tags in use on the account.
        total_count: How many there are in all.
    """

    tags: list[str] = msgspec.field(default_factory=list)
    total_count: int | None = None
