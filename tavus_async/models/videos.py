"""Video generation models: the request and the video (status and progress for waiters)."""

from __future__ import annotations

from typing import Any, ClassVar

from ._common import RequestModel, Settles, Timestamped, parse_progress

__all__ = ["Video", "VideoCreate", "VideoProperties"]


class VideoProperties(RequestModel, kw_only=True, omit_defaults=True):
    """``properties`` of a video: background scrolling and the opening wave."""

    background_scroll: bool | None = None
    background_scroll_type: str | None = None
    background_scroll_depth: str | None = None
    background_scroll_return: str | None = None
    start_with_wave: bool | None = None


class VideoCreate(RequestModel, kw_only=True, omit_defaults=True):
    """The body of ``POST /v2/videos``: a replica and exactly one of ``script``/``audio_url``.

    Attributes:
        replica_id: The replica that speaks.
        script: Text to speak (or give ``audio_url``).
        audio_url: A public .wav/.mp3 to lip-sync (or give ``script``).
        video_name: A name.
        background_url: A website recorded as the background.
        background_source_url: A video used as the background.
        callback_url: Where Tavus posts the result.
        fast: A barebones, faster render (no background, thumbnails or stream URL).
        transparent_background: A .webm with transparency (needs ``fast``).
        watermark_image_url: A png/jpeg watermark.
        properties: Background scrolling options.
    """

    replica_id: str
    script: str | None = None
    audio_url: str | None = None
    video_name: str | None = None
    background_url: str | None = None
    background_source_url: str | None = None
    callback_url: str | None = None
    fast: bool | None = None
    transparent_background: bool | None = None
    watermark_image_url: str | None = None
    properties: VideoProperties | None = None


class Video(Settles, Timestamped, kw_only=True, omit_defaults=True):
    """A video. ``status`` is ``queued``, ``generating``, ``ready``, ``deleted`` or ``error``.

    Attributes:
        video_id: Its id.
        video_name: Its name.
        status: Generation status (an open string).
        generation_progress: e.g. ``"42/100"``; see :attr:`progress`.
        status_details: Tavus's detail text (the error text on failure).
        error_details: The error message, on failure.
        hosted_url: A page to view it.
        download_url: The file, once ready.
        stream_url: A stream, once ready.
        data: ``{"script": ...}``; see :attr:`script`.
    """

    #: Statuses that end the work well, and that end it for good otherwise: the one definition
    #: that :attr:`is_ready`, :attr:`is_failed` and ``wait_until_ready`` all use.
    DONE_STATUSES: ClassVar[frozenset[str]] = frozenset({"ready"})
    FAILED_STATUSES: ClassVar[frozenset[str]] = frozenset({"error", "deleted"})

    video_id: str
    video_name: str | None = None
    status: str | None = None
    generation_progress: str | None = None
    status_details: str | None = None
    error_details: str | None = None
    replica_id: str | None = None
    hosted_url: str | None = None
    download_url: str | None = None
    stream_url: str | None = None
    data: dict[str, Any] | None = None
    background_url: str | None = None
    background_source_url: str | None = None
    still_image_thumbnail_url: str | None = None
    gif_thumbnail_url: str | None = None

    @property
    def script(self) -> str | None:
        """The script the video was generated from, when Tavus returns it."""
        value = (self.data or {}).get("script")
        return value if isinstance(value, str) else None

    @property
    def progress(self) -> float | None:
        """Generation progress as a fraction from 0 to 1, when Tavus reports it."""
        return parse_progress(self.generation_progress)
