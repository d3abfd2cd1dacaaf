"""PAL models (Tavus's 2026 name for personas): the create request, the PAL, publish, usernames.

A PAL and a persona are the same record under two vocabularies (``pal_id`` is the
``persona_id``, ``default_face_id`` the ``default_replica_id``); these models speak the PAL one.
"""

from __future__ import annotations

from typing import Any

import msgspec

from ._common import Model, RequestModel, Timestamped
from .layers import Layers

__all__ = ["Pal", "PalCreate", "PalPublished", "UsernameCheck", "unwrap_pal"]


class PalCreate(RequestModel, kw_only=True, omit_defaults=True):
    """The body of ``POST /v2/pals``.

    Attributes:
        default_face_id: The face a conversation uses when it names none (required on
            ``/v2/pals``; ``personas.create`` does without).
        pal_name: A name for the PAL.
        system_prompt: Its instructions (required when ``pipeline_mode`` is ``full``).
        pipeline_mode: ``full`` (default), ``echo`` or ``speech-to-speech``.
        context: Background knowledge (deprecated: prefer ``system_prompt``).
        greeting: What the PAL says first.
        document_ids: Knowledge-base documents.
        document_tags: Knowledge-base tags.
        objectives_id: An objectives set to follow.
        guardrails_id: A legacy guardrails set.
        guardrail_ids: Flat guardrails (their ``uuid``).
        guardrail_tags: Attach every guardrail carrying one of these tags.
        tool_ids: Tools from the registry (at most 50).
        memories: Seed lines for the PAL's memory store.
        is_template: Mark the PAL as a template others can clone.
        layers: LLM, TTS, STT, perception, conversational flow, conferencing... settings.
    """

    default_face_id: str
    pal_name: str | None = None
    system_prompt: str | None = None
    pipeline_mode: str | None = None
    context: str | None = None
    greeting: str | None = None
    document_ids: list[str] | None = None
    document_tags: list[str] | None = None
    objectives_id: str | None = None
    guardrails_id: str | None = None
    guardrail_ids: list[str] | None = None
    guardrail_tags: list[str] | None = None
    tool_ids: list[str] | None = None
    memories: list[str] | None = None
    is_template: bool | None = None
    layers: Layers | None = None

    def __post_init__(self) -> None:
        if self.tool_ids is not None and len(self.tool_ids) > 50:
            raise msgspec.ValidationError(
                f"tool_ids holds {len(self.tool_ids)} tools; a PAL has at most 50"
            )
        if self.pipeline_mode in (None, "full") and not self.system_prompt:
            raise msgspec.ValidationError(
                "system_prompt is required when pipeline_mode is full (the default); "
                "use pipeline_mode='echo' to drive speech yourself"
            )


class Pal(Timestamped, kw_only=True, omit_defaults=True):
    """A PAL (the create response carries its id, name, ``created_at`` and, with a conferencing
    layer, its ``conferencing_email``).

    Attributes:
        pal_id: Its id (``p...``, the same as its ``persona_id``).
        pal_type: ``user`` or ``system`` (Tavus's stock PALs).
        is_published: False while only a draft exists.
        conferencing_email: ``<username>@tavusinvite.com`` when it joins meetings.
    """

    pal_id: str
    pal_name: str | None = None
    system_prompt: str | None = None
    pipeline_mode: str | None = None
    context: str | None = None
    greeting: str | None = None
    default_face_id: str | None = None
    document_ids: list[str] | None = None
    document_tags: list[str] | None = None
    objectives_id: str | None = None
    guardrails_id: str | None = None
    guardrail_ids: list[str] | None = None
    guardrail_tags: list[str] | None = None
    tool_ids: list[str] | None = None
    memories: list[str] | None = None
    is_template: bool | None = None
    is_published: bool | None = None
    is_draft: bool | None = None
    pal_type: str | None = None
    conferencing_email: str | None = None
    layers: Layers | None = None


class PalPublished(Timestamped, kw_only=True, omit_defaults=True):
    """What ``POST /v2/pals/{id}/publish`` answers: ``status`` is ``success``."""

    status: str | None = None
    pal_id: str | None = None
    pal_name: str | None = None
    system_prompt: str | None = None


class UsernameCheck(Model, kw_only=True, omit_defaults=True):
    """Whether a conferencing username is free (``reason`` says why not)."""

    available: bool
    reason: str | None = None


def unwrap_pal(raw: Any) -> Pal:
    """Decode GET PAL, flat (what clients observe) or wrapped as ``{"data": [pal]}``.

    Raises:
        msgspec.ValidationError: The body is neither shape.
    """
    if isinstance(raw, dict) and "pal_id" not in raw and "data" in raw:
        data = raw["data"]
        if isinstance(data, list):
            if len(data) != 1:
                raise msgspec.ValidationError(
                    f"expected `data` to hold one PAL, it holds {len(data)}"
                )
            data = data[0]
        raw = data
    return msgspec.convert(raw, Pal, strict=False)
