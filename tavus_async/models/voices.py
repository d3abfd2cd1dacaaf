"""Stock voice models (``GET /v2/voices``)."""

from __future__ import annotations

from ._common import Model

__all__ = ["Voice", "VoiceTag"]


class VoiceTag(Model, kw_only=True, omit_defaults=True):
    """A tag on a voice's replica."""

    tag_name: str | None = None


class Voice(Model, kw_only=True, omit_defaults=True):
    """A stock voice: pass ``voice_name`` when training a replica from an image.

    Attributes:
        voice_name: The slug.
        replica_id: The replica the voice belongs to.
        audio_url: A preview clip, when there is one.
        tags: Its tags.
    """

    voice_name: str
    replica_id: str | None = None
    audio_url: str | None = None
    tags: list[VoiceTag] | None = None

    @property
    def tag_names(self) -> list[str]:
        """The tag names, for filtering."""
        return [t.tag_name for t in self.tags or [] if t.tag_name]
