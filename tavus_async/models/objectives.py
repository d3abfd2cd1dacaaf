"""Objectives models: a set of objectives the replica works through in a conversation.

Tavus answers in several shapes, all accepted by :func:`to_objective_set`: the create response
``{objectives_id, objective_name, status, created_at}``, GET one with ``data`` as an object or a
list, and list items that are one flat objective plus ``objectives_id``. ``next_required_objective``
(one name, current) and ``next_required_objectives`` (a list, older) are both kept.
"""

from __future__ import annotations

from typing import Any

import msgspec

from ._common import Model, RequestModel, Timestamped, hoist_set

__all__ = [
    "Objective",
    "ObjectiveSet",
    "ObjectivesCreate",
    "ObjectivesValidation",
    "to_objective_set",
]


class Objective(RequestModel, kw_only=True, omit_defaults=True):
    """One objective.

    Attributes:
        objective_name: Letters, digits and underscores.
        objective_prompt: What the replica should achieve.
        confirmation_mode: ``auto`` (default) or ``manual``.
        output_variables: Values to collect.
        modality: ``verbal`` (default), ``visual`` or ``audio``.
        next_conditional_objectives: Objective name -> the condition that leads to it.
        next_required_objective: The objective that follows (current docs).
        next_required_objectives: The objectives that follow (older docs).
        callback_url: Called when this objective completes.
        tool_call: A tool call made on completion (CLI).
    """

    objective_name: str
    objective_prompt: str | None = None
    confirmation_mode: str | None = None
    output_variables: list[str] | None = None
    modality: str | None = None
    next_conditional_objectives: dict[str, str] | None = None
    next_required_objective: str | None = None
    next_required_objectives: list[str] | None = None
    callback_url: str | None = None
    tool_call: dict[str, Any] | None = None

    @property
    def next_required(self) -> list[str]:
        """The names of the required next objectives, from whichever field Tavus used."""
        names = list(self.next_required_objectives or [])
        if self.next_required_objective and self.next_required_objective not in names:
            names.insert(0, self.next_required_objective)
        return names


class ObjectivesCreate(RequestModel, kw_only=True, omit_defaults=True):
    """The body of ``POST /v2/objectives``.

    Attributes:
        data: The objectives (as :class:`Objective` or dicts).
        name: A name for the set (CLI).
        allow_loops: Allow cycles between objectives (CLI).
    """

    data: list[Objective]
    name: str | None = None
    allow_loops: bool | None = None


class ObjectiveSet(Timestamped, kw_only=True, omit_defaults=True):
    """An objectives set (``objectives_id``) and its objectives in ``data``."""

    objectives_id: str | None = None
    name: str | None = None
    objective_name: str | None = None
    status: str | None = None
    data: list[Objective] = msgspec.field(default_factory=list)

    @property
    def objectives(self) -> list[Objective]:
        """The objectives in the set."""
        return self.data


_OBJECTIVE_KEYS = frozenset(f.encode_name for f in msgspec.structs.fields(Objective))


def to_objective_set(raw: Any, objectives_id: str | None = None) -> ObjectiveSet:
    """Decode any of the objectives shapes into an :class:`ObjectiveSet`.

    Args:
        raw: The decoded JSON body (or one list item).
        objectives_id: The id from the request path, used when the body does not repeat it.

    Raises:
        msgspec.ValidationError: The body matches none of the shapes.
    """
    body = hoist_set(raw, "objectives_id", "objective_name", _OBJECTIVE_KEYS)
    result = msgspec.convert(body, ObjectiveSet, strict=False)
    if result.objectives_id is None and objectives_id is not None:
        result = msgspec.structs.replace(result, objectives_id=objectives_id)
    return result


class ObjectivesValidation(Model, kw_only=True, omit_defaults=True):
    """The answer of ``POST /v2/objectives/validate`` (a dry run: nothing is stored).

    Tavus does not document this shape (api-2026-surface.md §10); this is the simulator's.

    Attributes:
        ok: The set would be accepted.
        errors: What is wrong with it (unknown or self references, cycles, several roots...).
    """

    ok: bool = False
    errors: list[str] = msgspec.field(default_factory=list)
