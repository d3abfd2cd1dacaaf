"""Voice models: the 2026 voice object (``voice_id``) and the older stock list's fields.

``GET /v2/voices`` lists stock voices (``voice_name``, ``replica_id``, ``audio_url``,
``tags: [{tag_name}]``, rest-api-notes §3.4) and voices made with ``POST /v2/voices`` (the 2026
object: ``voice_id``, ``voice_type``, ``status``, ``tags: [str]``; api-2026-surface.md §5).
:class:`Voice` reads both; :attr:`Voice.tag_names` reads both tag shapes.
"""

from __future__ import annotations

from typing import Annotated

import msgspec

from ._common import Model, RequestModel

__all__ = ["Voice", "VoiceCreate", "VoiceTag", "VoiceUpdate"]

_Name = Annotated[str, msgspec.Meta(min_length=1, max_length=255)]
_Url = Annotated[str, msgspec.Meta(min_length=1, max_length=2048)]
_Description = Annotated[str, msgspec.Meta(max_length=1000)]
_Tags = Annotated[
    list[Annotated[str, msgspec.Meta(min_length=1, max_length=64)]], msgspec.Meta(max_length=50)
]


class VoiceTag(Model, kw_only=True, omit_defaults=True):
    """A tag on a stock voice's replica (the older list shape)."""

    tag_name: str | None = None


class Voice(Model, kw_only=True, omit_defaults=True):
    """A voice: pass ``voice_id`` as ``layers.tts.voice_id`` (or a stock ``voice_name`` when
    training a replica from an image).

    Attributes:
        voice_name: Its name (the slug, for stock voices).
        voice_id: Its id (2026 voices; ``v`` then hex digits).
        description: What it sounds like.
        voice_type: ``user`` or ``system``.
        status: ``started`` while Tavus prepares it, then ``completed`` or ``error``.
        error_message: Why it failed (only on ``error``).
        replica_id: The replica a stock voice belongs to.
        audio_url: A preview clip, when there is one.
        tags: Its tags: strings (2026) or ``{tag_name}`` objects (the stock list).
        created_at: When it was made (kept as Tavus wrote it).
        updated_at: When it last changed.
    """

    voice_name: str
    voice_id: str | None = None
    description: str | None = None
    voice_type: str | None = None
    status: str | None = None
    error_message: str | None = None
    replica_id: str | None = None
    audio_url: str | None = None
    tags: list[str | VoiceTag] | None = None
    created_at: str | None = None
    updated_at: str | None = None

    @property
    def tag_names(self) -> list[str]:
        """The tag names, whichever shape Tavus sent them in."""
        out: list[str] = []
        for tag in self.tags or []:
            name = tag if isinstance(tag, str) else tag.tag_name
            if name:
                out.append(name)
        return out


class VoiceCreate(RequestModel, kw_only=True, omit_defaults=True):
    """The body of ``POST /v2/voices``; Tavus answers at once with ``status: "started"``.

    The stored docs page cut off the audio field's name; ``audio_url`` is this SDK's reading
    (pass another name with ``extra_body`` if Tavus rejects it).

    Attributes:
        voice_name: 1-255 characters.
        audio_url: A recording to clone (mp3, wav, m4a, flac, ogg, oga, webm, mp4, mov; at most
            2,048 characters).
        description: At most 1,000 characters.
        callback_url: Receives ``application.voice_status_changed`` when the voice settles.
    """

    voice_name: _Name
    audio_url: _Url
    description: _Description | None = None
    callback_url: str | None = None


class VoiceUpdate(RequestModel, kw_only=True, omit_defaults=True):
    """The body of ``PATCH /v2/voices/{voice_id}`` (``tags`` replaces the list; at most 50 of
    at most 64 characters)."""

    voice_name: _Name | None = None
    description: _Description | None = None
    tags: _Tags | None = None
