"""Persona models: the create request and the persona itself (with its full ``layers``)."""

from __future__ import annotations

from typing import Any

from ._common import RequestModel, Timestamped, unwrap_one
from .layers import Layers

__all__ = ["Persona", "PersonaCreate", "unwrap_persona"]


class PersonaCreate(RequestModel, kw_only=True, omit_defaults=True):
    """The body of ``POST /v2/personas``.

    Attributes:
        persona_name: A name for the persona.
        system_prompt: Its instructions (needed for ``pipeline_mode="full"``).
        pipeline_mode: ``full`` (default) or ``echo`` (you drive speech); the CLI also knows
            ``speech-to-speech``.
        context: Background knowledge (older docs; prefer ``system_prompt``).
        default_replica_id: The replica used when a conversation names none.
        document_ids: Knowledge-base documents.
        document_tags: Knowledge-base tags.
        objectives_id: An objectives set to follow.
        guardrails_id: A guardrails set to respect.
        layers: LLM, TTS, STT, perception, conversational flow and transport settings, as
            :class:`~tavus_async.models.layers.Layers` or a plain dict.
    """

    persona_name: str | None = None
    system_prompt: str | None = None
    pipeline_mode: str | None = None
    context: str | None = None
    default_replica_id: str | None = None
    document_ids: list[str] | None = None
    document_tags: list[str] | None = None
    objectives_id: str | None = None
    guardrails_id: str | None = None
    layers: Layers | None = None


class Persona(Timestamped, kw_only=True, omit_defaults=True):
    """A persona (the create response carries only id, name and ``created_at``)."""

    persona_id: str
    persona_name: str | None = None
    system_prompt: str | None = None
    pipeline_mode: str | None = None
    context: str | None = None
    default_replica_id: str | None = None
    document_ids: list[str] | None = None
    document_tags: list[str] | None = None
    objectives_id: str | None = None
    guardrails_id: str | None = None
    layers: Layers | None = None
    persona_type: str | None = None


def unwrap_persona(raw: Any) -> Persona:
    """Decode GET persona, flat (what clients observe) or wrapped as ``{"data": [persona]}``.

    Raises:
        msgspec.ValidationError: The body is neither shape.
    """
    return unwrap_one(raw, Persona, "persona_id", "persona")
