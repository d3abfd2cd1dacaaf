"""Guardrails models: rules the replica must not break, grouped in a set (``guardrails_id``).

Accepted shapes (see :func:`to_guardrail_set`): the create response
``{guardrails_id, guardrails_name, status, created_at}``, GET one with ``data`` as an object or a
list, the newer flat form (one guardrail at the top level), and the docs' alternative spelling
``guardrails_name``/``guardrails_prompt`` inside ``data``.
"""

from __future__ import annotations

from typing import Any

import msgspec

from ._common import RequestModel, Timestamped, hoist_set

__all__ = ["Guardrail", "GuardrailSet", "GuardrailsCreate", "to_guardrail_set"]


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
    """

    guardrail_name: str
    guardrail_prompt: str | None = None
    modality: str | None = None
    callback_url: str | None = None
    tool_call: dict[str, Any] | None = None
    app_message: bool | None = None
    tags: list[str] | None = None


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
