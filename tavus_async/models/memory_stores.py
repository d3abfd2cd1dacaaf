"""Memory store models: one PAL's memory of one participant (api-2026-surface.md §12).

A store holds **pinned** memories (given when it is created) and what the PAL **learned** in
conversations. Tavus creates a store by itself when a conversation arrives with
``participant_tags=[tag]``; create one only to pin memories before the first call.
"""

from __future__ import annotations

from typing import Annotated, Any

import msgspec

from ._common import RequestModel, Timestamped

__all__ = ["MemoryStore", "MemoryStoreCreate", "MemoryStoreUpdate"]

_NonEmpty = Annotated[str, msgspec.Meta(min_length=1)]


class MemoryStoreCreate(RequestModel, kw_only=True, omit_defaults=True):
    """The body of ``POST /v2/memory-stores`` (one active store per PAL and participant tag).

    Attributes:
        pal_id: The PAL that remembers.
        participant_tag: Who it remembers (the tag a conversation passes in
            ``participant_tags``).
        pinned_memories: Facts the PAL always knows about this participant.
    """

    pal_id: _NonEmpty
    participant_tag: _NonEmpty
    pinned_memories: list[str] | None = None


class MemoryStoreUpdate(RequestModel, kw_only=True, omit_defaults=True):
    """The body of ``PATCH /v2/memory-stores/{id}`` (``pinned_memories`` replaces the list)."""

    pinned_memories: list[str] | None = None


class MemoryStore(Timestamped, kw_only=True, omit_defaults=True):
    """A memory store.

    Attributes:
        memory_store_id: Its id.
        pal_id: The PAL that remembers.
        participant_tag: Who it remembers.
        pinned_memories: What was pinned.
        learned_memories: What the PAL learned in conversations (Tavus does not document its
            shape: kept as decoded JSON).
        status: ``active`` while it is the PAL's store for this participant.
    """

    memory_store_id: str
    pal_id: str | None = None
    participant_tag: str | None = None
    pinned_memories: list[str] = msgspec.field(default_factory=list)
    learned_memories: list[Any] = msgspec.field(default_factory=list)
    status: str | None = None
